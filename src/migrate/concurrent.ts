import { type Kysely, sql } from 'kysely';
import { MigrationError } from './errors.ts';
import type { Migration } from './load.ts';
import { isLockTimeout, setSessionTimeouts, sqlState, withLockRetry } from './locks.ts';
import { quoteIdent } from './parse.ts';
import { type RunContext, statementError } from './run-context.ts';
import type { PlannedStatement } from './steps.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

const MISSING_OBJECT = new Set(['42P01', '42703', '42704', '42883']);

async function invalidIndexes(db: AnyDb): Promise<Set<string>> {
  const r = await sql<{ i: string }>`SELECT indexrelid::regclass::text AS i FROM pg_index WHERE NOT indisvalid`.execute(db);
  return new Set(r.rows.map((x) => x.i));
}

async function indexState(db: AnyDb, name: string): Promise<'valid' | 'invalid' | 'absent'> {
  const r = await sql<{ v: boolean }>`SELECT indisvalid AS v FROM pg_index WHERE indexrelid = to_regclass(${quoteIdent(name)})`.execute(db);
  if (!r.rows[0]) return 'absent';
  return r.rows[0].v ? 'valid' : 'invalid';
}

/**
 * Runs a statement that PostgreSQL refuses inside a transaction (CREATE/DROP INDEX CONCURRENTLY,
 * REINDEX CONCURRENTLY, VACUUM) on the runner's session, with the same timeouts and lock retry.
 * A concurrent build that fails leaves an INVALID index behind: it is dropped before the error
 * is reported (or the build retried), and a run resumed after a crash drops a half-built one first.
 */
export async function runOutsideTransaction(
  ctx: RunContext,
  m: Migration,
  s: PlannedStatement,
  undo: boolean,
  /** An earlier run started this step and died before recording it done. */
  resuming: boolean,
): Promise<{ attempts: number; skipped?: string }> {
  const conn = ctx.conn;
  const idx = s.info.createsIndex;
  if (idx?.name) {
    const state = await indexState(conn, idx.name);
    if (state === 'invalid') await sql.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(idx.name)}`).execute(conn);
    // Built completely by a run that died before recording the step: nothing left to do.
    if (state === 'valid' && resuming) return { attempts: 1, skipped: `index ${idx.name} already built` };
  }
  for (const name of s.info.dropsIndexes) {
    if ((await indexState(conn, name)) === 'absent' && (undo || resuming)) {
      return { attempts: 1, skipped: `index ${name} already dropped` };
    }
  }
  await setSessionTimeouts(conn, ctx.settings);
  try {
    const { attempts } = await withLockRetry(
      ctx.settings,
      async () => {
        const before = await invalidIndexes(conn);
        try {
          await sql.raw(s.sql).execute(conn);
        } catch (err) {
          for (const i of await invalidIndexes(conn)) {
            if (!before.has(i)) await sql.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${i}`).execute(conn);
          }
          throw err;
        }
      },
      (attempt, delayMs, err) =>
        ctx.onEvent?.({
          type: 'lock-retry',
          migration: m.name,
          what: `${s.file} statement ${s.index}`,
          attempt,
          delayMs,
          error: err.message,
        }),
    );
    return { attempts };
  } catch (err) {
    if (undo && MISSING_OBJECT.has(sqlState(err) ?? '')) return { attempts: 1, skipped: (err as Error).message };
    if (isLockTimeout(err)) {
      throw new MigrationError(
        `${m.name}/${s.file}, statement ${s.index}: lock timeout: ${(err as Error).message}. Run migrate up again.`,
        { cause: err },
      );
    }
    throw statementError(m, s, err);
  } finally {
    await setSessionTimeouts(conn, null);
  }
}
