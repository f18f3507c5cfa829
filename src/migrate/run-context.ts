/**
 * What the step runners share: the run's connection and settings, and how a failed statement is
 * reported. Apart from runner.ts so concurrent.ts (statements outside a transaction) and
 * runner.ts (which calls it) do not import each other.
 */
import type { Kysely } from 'kysely';
import { MigrationError } from './errors.ts';
import type { EngineEvent } from './events.ts';
import type { Migration } from './load.ts';
import { type LockSettings, sqlState } from './locks.ts';
import type { PlannedStatement } from './steps.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

export interface RunContext {
  conn: AnyDb;
  settings: LockSettings;
  targetBatchMs: number;
  onEvent?: (e: EngineEvent) => void;
}

export function statementError(m: Migration, s: PlannedStatement, err: unknown): Error {
  if (sqlState(err) === '55P03') return err as Error;
  const first = s.sql.split('\n')[0];
  return new MigrationError(`${m.name}/${s.file}, statement ${s.index} (${first}…): ${(err as Error).message}`, { cause: err });
}
