import { type Config, ConfigError, loadConfig } from '../config.ts';
import { DataDirLockedError } from '../db/lock.ts';
import { MigrationError } from '../migrate/index.ts';
import { type Command, helpText, parse, UsageError } from './command.ts';
import { adminCreate, adminDisable, adminList } from './commands/admin.ts';
import { jobsList, jobsRun, worker } from './commands/jobs.ts';
import { mailList, mailShow } from './commands/mail.ts';
import { mediaCleanup, mediaRestore } from './commands/media.ts';
import { migrateDownCmd, migrateNew, migrateStatus, migrateUpCmd } from './commands/migrate.ts';
import { migrateBackupList, migrateRestore } from './commands/migrate-backup.ts';
import { migrateDrift, migrateSquash } from './commands/migrate-drift.ts';
import { migrateDocs, migrateLint, migratePlan, migrateVerify } from './commands/migrate-safety.ts';
import { privacyOutbox } from './commands/privacy.ts';
import { serve } from './commands/serve.ts';

export const COMMANDS: Command[] = [
  serve,
  worker,
  jobsList,
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

/** Returns the exit code; the only process.exit is in bin/quickchat.js and src/main.ts callers. */
export async function runCli(argv: string[], out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  if (!argv.length || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out(overview());
    return argv.length ? 0 : 1;
  }
  try {
    const found = select(argv);
    if (!found) {
      const group = COMMANDS.filter((c) => c.name.startsWith(`${argv[0]} `));
      if (group.length && (argv.length === 1 || argv[1] === '--help')) {
        out(group.map((c) => `quickchat ${c.name.padEnd(18)} ${c.summary.split(/(?<=\.) /)[0]}`).join('\n'));
        return argv[1] === '--help' ? 0 : 1;
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
    const known = [UsageError, ConfigError, MigrationError, DataDirLockedError].some((t) => err instanceof t);
    console.error(`error: ${(err as Error).message.split('\n')[0]}`);
    // A bug rather than an operator error: the stack is what a maintainer needs.
    if (!known) console.error((err as Error).stack?.split('\n').slice(1, 6).join('\n'));
    return 1;
  }
}
