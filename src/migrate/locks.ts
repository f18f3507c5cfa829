import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import type { LockMode, TableLock } from './analyze.ts';
import { LOCK_MODES } from './analyze.ts';
import { quoteIdent } from './parse.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

export interface LockSettings {
  /** How long one statement may wait for a lock before it gives up (and the step is retried). */
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  /** Total time spent retrying one step after lock timeouts before the run fails. */
  retryBudgetMs: number;
}

export const DEFAULT_LOCK_SETTINGS: LockSettings = { lockTimeoutMs: 1000, statementTimeoutMs: 600_000, retryBudgetMs: 60_000 };

export async function setLocalTimeouts(trx: AnyDb, s: LockSettings): Promise<void> {
  // SET LOCAL takes no parameters; the values are integers we control.
  await sql.raw(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(s.lockTimeoutMs))}`).execute(trx);
  await sql.raw(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(s.statementTimeoutMs))}`).execute(trx);
}

/** For statements that run outside a transaction block (… CONCURRENTLY): session settings, reset after. */
export async function setSessionTimeouts(db: AnyDb, s: LockSettings | null): Promise<void> {
  if (!s) {
    await sql.raw('RESET lock_timeout').execute(db);
    await sql.raw('RESET statement_timeout').execute(db);
    return;
  }
  await sql.raw(`SET lock_timeout = ${Math.max(1, Math.floor(s.lockTimeoutMs))}`).execute(db);
  await sql.raw(`SET statement_timeout = ${Math.max(1, Math.floor(s.statementTimeoutMs))}`).execute(db);
}

/** SQLSTATE of an error from pg or PGlite, also through our wrappers (`cause`). */
export function sqlState(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let i = 0; e && i < 4; i++) {
    if (typeof e.code === 'string') return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** 55P03: lock_timeout expired (or NOWAIT): nothing was changed, the step can be retried. */
export const isLockTimeout = (err: unknown): boolean => sqlState(err) === '55P03';

export interface RetryOutcome<T> {
  value: T;
  attempts: number;
}

/**
 * Runs `fn`; when it fails on a lock timeout, waits a jittered, growing delay and runs it again,
 * until the budget is spent. Waiting without holding anything lets the application's queries
 * through instead of queueing them behind our pending ACCESS EXCLUSIVE request.
 */
export async function withLockRetry<T>(
  s: LockSettings,
  fn: (attempt: number) => Promise<T>,
  onRetry?: (attempt: number, delayMs: number, err: Error) => void,
): Promise<RetryOutcome<T>> {
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (err) {
      if (!isLockTimeout(err)) throw err;
      const base = Math.min(5000, 100 * 2 ** (attempt - 1));
      const delay = Math.round(base / 2 + Math.random() * (base / 2));
      if (performance.now() - started + delay > s.retryBudgetMs) {
        (err as Error).message +=
          ` (gave up after ${attempt} attempts in ${Math.round(performance.now() - started)} ms: raise the retry budget or stop what holds the lock)`;
        throw err;
      }
      onRetry?.(attempt, delay, err as Error);
      await sleep(delay);
    }
  }
}

export interface HeldLock {
  table: string;
  mode: LockMode;
  statement: number;
  acquiredAt: number;
}

/**
 * Takes a statement's table locks explicitly (LOCK TABLE … IN mode MODE) before it runs, so that
 * the wait is measured on its own and the hold can be measured until commit. Tables that do not
 * exist yet (created by this statement) are skipped; a lock already held as strong is not retaken.
 */
export async function takeLocks(trx: AnyDb, locks: TableLock[], statement: number, held: HeldLock[]): Promise<number> {
  let waited = 0;
  for (const l of locks) {
    const have = held.filter((h) => h.table === l.table);
    if (have.some((h) => LOCK_MODES.indexOf(h.mode) >= LOCK_MODES.indexOf(l.mode))) continue;
    const ident = l.table.startsWith('"') ? l.table : quoteIdent(l.table);
    const exists = await sql<{ t: string | null }>`SELECT to_regclass(${ident})::text AS t`.execute(trx);
    if (!exists.rows[0]?.t) continue;
    const t0 = performance.now();
    await sql.raw(`LOCK TABLE ${ident} IN ${l.mode} MODE`).execute(trx);
    const t1 = performance.now();
    waited += t1 - t0;
    held.push({ table: l.table.replaceAll('"', ''), mode: l.mode, statement, acquiredAt: t1 });
  }
  return waited;
}

/** The tables of indexes a DROP INDEX will lock (ACCESS EXCLUSIVE on the index's table). */
export async function indexTables(db: AnyDb, indexes: string[]): Promise<TableLock[]> {
  const out: TableLock[] = [];
  for (const name of indexes) {
    const r = await sql<{ t: string }>`
      SELECT i.indrelid::regclass::text AS t FROM pg_index i WHERE i.indexrelid = to_regclass(${quoteIdent(name)})`.execute(db);
    if (r.rows[0]) out.push({ table: r.rows[0].t, mode: 'ACCESS EXCLUSIVE' });
  }
  return out;
}

/** Who holds locks on these tables (PostgreSQL only: PGlite has one connection): for error messages. */
export async function describeBlockers(db: AnyDb, tables: string[]): Promise<string> {
  if (!tables.length) return '';
  try {
    const r = await sql<{ pid: number; state: string; query: string }>`
      SELECT DISTINCT a.pid, a.state, left(regexp_replace(a.query, '\\s+', ' ', 'g'), 80) AS query
      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.granted AND l.pid <> pg_backend_pid()
        AND l.relation = ANY (SELECT to_regclass(t)::oid FROM unnest(${tables}::text[]) t)
      LIMIT 3`.execute(db);
    return r.rows.map((b) => `pid ${b.pid} (${b.state}: ${b.query})`).join('; ');
  } catch {
    return '';
  }
}
