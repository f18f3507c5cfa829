import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { prepareDataDir, tighten } from '../data-dir.ts';
import { type Database, openDb } from '../db/index.ts';
import { lockDataDir } from '../db/lock.ts';
import { loadMigrations, MIGRATIONS_DIR, migrationStatus } from '../migrate/index.ts';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  /** Words that select it, e.g. `migrate status`. */
  name: string;
  summary: string;
  /** Arguments after the name, for the usage line, e.g. `<name>`. */
  args?: string;
  options?: Options;
  /** One line per option, shown by --help. */
  optionHelp?: string[];
  /** Takes `--json`: true, or what the JSON output is when more than "machine-readable output". */
  json?: true | string;
  run(input: CommandInput): Promise<number | undefined>;
}

export interface CommandInput {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  config: () => Config;
  out: (line: string) => void;
}

export function parse(cmd: Command, argv: string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...cmd.options, ...(cmd.json ? { json: { type: 'boolean' } } : {}), help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (err) {
    throw new UsageError(`${(err as Error).message} (see: quickchat ${cmd.name} --help)`);
  }
}

export function helpText(cmd: Command): string {
  const lines = [`Usage: quickchat ${cmd.name}${cmd.args ? ` ${cmd.args}` : ''} [options]`, '', cmd.summary, '', 'Options:'];
  for (const o of cmd.optionHelp ?? []) lines.push(`  ${o}`);
  if (cmd.json) lines.push(`  --json              ${cmd.json === true ? 'machine-readable output' : cmd.json}`);
  lines.push('  -h, --help          show this help');
  return lines.join('\n');
}

export function intOption(values: CommandInput['values'], name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} takes a whole number, got "${raw}"`);
  return n;
}

/**
 * Opens the database for one command. On the embedded database it takes the data-directory lock,
 * so a command never opens PGlite files a running server holds: it stops with a clear message.
 */
export async function withDatabase<T>(config: Config, holder: string, fn: (database: Database) => Promise<T>): Promise<T> {
  return withDatabaseRaw(config, holder, async (database) => {
    const pending = await pendingMigrations(database);
    if (pending.length) {
      throw new UsageError(`The database has ${pending.length} pending migration(s) (${pending[0]}…): run quickchat migrate up first.`);
    }
    return fn(database);
  });
}

async function pendingMigrations(database: Database): Promise<string[]> {
  const status = await migrationStatus(database.db, loadMigrations(MIGRATIONS_DIR));
  return status.filter((s) => s.state !== 'applied').map((s) => s.name);
}

/** For the migrate commands themselves: opens the database whatever its schema. */
export async function withDatabaseRaw<T>(config: Config, holder: string, fn: (database: Database) => Promise<T>): Promise<T> {
  if (!config.databaseUrl) prepareDataDir(config);
  const lock = config.databaseUrl ? null : await lockDataDir(config.dataDir, holder);
  try {
    const database = await openDb(config);
    if (!config.databaseUrl) tighten(config.dataDir);
    try {
      return await fn(database);
    } finally {
      await database.close();
    }
  } finally {
    lock?.release();
  }
}
