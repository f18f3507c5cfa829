import { type Config, ConfigError, loadConfig } from '../config.ts';
import { isConnectionLoss } from '../db/connection-loss.ts';
import { DataDirLockedError } from '../db/lock.ts';
import { HttpError } from '../errors.ts';
import { SourceError } from '../import/source.ts';
import { CleanupBusyError } from '../media/cleanup-lock.ts';
import { MigrationError } from '../migrate/index.ts';
import { type Command, helpText, parse, UsageError } from './command.ts';
import { adminCreate, adminDisable, adminList } from './commands/admin.ts';
import { importVerify, importXano } from './commands/import.ts';
import { jobsFailed, jobsList, jobsRetry, jobsRun, worker } from './commands/jobs.ts';
import { mailList, mailShow } from './commands/mail.ts';
import { mediaCleanup, mediaRestore } from './commands/media.ts';
import { migrateDownCmd, migrateNew, migrateStatus, migrateUpCmd } from './commands/migrate.ts';
import { migrateBackupList, migrateRestore } from './commands/migrate-backup.ts';
import { migrateDrift, migrateSquash } from './commands/migrate-drift.ts';
import { migrateDocs, migrateLint, migratePlan, migrateVerify } from './commands/migrate-safety.ts';
import { privacyOutbox } from './commands/privacy.ts';
import { serve } from './commands/serve.ts';

const COMMANDS: Command[] = [
  serve,
  worker,
  jobsList,
  jobsFailed,
  jobsRetry,
  jobsRun,
  migrateStatus,
  migrateUpCmd,
  migrateDownCmd,
  migrateNew,
  migratePlan,
  migrateLint,
  migrateVerify,
  migrateDrift,
  migrateSquash,
  migrateDocs,
  migrateBackupList,
  migrateRestore,
  mailList,
  mailShow,
  mediaCleanup,
  mediaRestore,
  privacyOutbox,
  adminCreate,
  adminDisable,
  adminList,
  importXano,
  importVerify,
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'Usage: quickchat <command> [options]',
    '',
    'QuickChat server and operations. Configuration comes from the environment (see .env.example).',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary.split(/(?<=\.) /)[0]}`),
    '',
    'Run `quickchat <command> --help` for its options.',
  ].join('\n');
}

/** Finds the longest command name that prefixes argv ("migrate status" before "migrate"). */
function select(argv: string[]): { cmd: Command; rest: string[] } | null {
  let best: { cmd: Command; rest: string[] } | null = null;
  for (const cmd of COMMANDS) {
    const words = cmd.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.cmd.name.split(' ').length)) {
      best = { cmd, rest: argv.slice(words.length) };
    }
  }
  return best;
}

/** An operator's DATABASE_URL problem (unreachable, wrong password, no such database): one line naming it. */
function databaseProblem(err: unknown): string | null {
  const code = (err as { code?: string }).code;
  const why = (err as Error).message?.split('\n')[0];
  if (isConnectionLoss(err)) return `DATABASE_URL: cannot reach PostgreSQL (${code ?? why})`;
  if (code === '28P01' || code === '28000' || code === '3D000') return `DATABASE_URL: PostgreSQL refused the connection: ${why}`;
  return null;
}

/** Returns the exit code; the only process.exit is in bin/quickchat.js and src/main.ts callers. */
export async function runCli(argv: string[], out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  if (!argv.length || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out(overview());
    return argv.length ? 0 : 1;
  }
  try {
    const found = select(argv);
    if (!found) {
      // A group name alone or with --help (`migrate`, `migrate backup --help`): list its commands.
      const words = argv.slice(0, argv.findIndex((a) => a.startsWith('-')) >>> 0);
      const rest = argv.slice(words.length);
      const group = COMMANDS.filter((c) => c.name.startsWith(`${words.join(' ')} `));
      if (words.length && group.length && (rest.length === 0 || (rest.length === 1 && ['--help', '-h'].includes(rest[0] as string)))) {
        out(group.map((c) => `quickchat ${c.name.padEnd(18)} ${c.summary.split(/(?<=\.) /)[0]}`).join('\n'));
        return rest.length ? 0 : 1;
      }
      throw new UsageError(`Unknown command "${argv.join(' ')}". Run quickchat --help for the list.`);
    }
    const { values, positionals } = parse(found.cmd, found.rest);
    if (values.help) {
      out(helpText(found.cmd));
      return 0;
    }
    let config: Config | undefined;
    const code = await found.cmd.run({ values, positionals, out, config: () => (config ??= loadConfig()) });
    return code ?? 0;
  } catch (err) {
    const known = [UsageError, HttpError, ConfigError, MigrationError, DataDirLockedError, SourceError, CleanupBusyError].some(
      (t) => err instanceof t,
    );
    const unreachable = databaseProblem(err);
    if (unreachable) {
      console.error(`error: ${unreachable}`);
      return 1;
    }
    console.error(`error: ${(err as Error).message.split('\n')[0]}`);
    // A bug rather than an operator error: the stack is what a maintainer needs.
    if (!known) console.error((err as Error).stack?.split('\n').slice(1, 6).join('\n'));
    return 1;
  }
}
