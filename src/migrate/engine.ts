import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import { ensureBackupSchema } from './backup.ts';
import { applyBaseline, type Baseline } from './baseline.ts';
import { MigrationError } from './errors.ts';
import type { EngineEvent } from './events.ts';
import { type AppliedMigration, chainHash, ensureHistoryTable, readHistory } from './history.ts';
import { clearJournal, ensureEngineTables, type JournalRow, readJournal } from './journal.ts';
import type { Migration } from './load.ts';
import { DEFAULT_LOCK_SETTINGS, type LockSettings } from './locks.ts';
import type { RunContext } from './run-context.ts';
import { type MigrationReport, runSteps } from './runner.ts';
import { buildSteps } from './steps.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

/** One key for every runner of this schema: 20 concurrent runners apply each migration once. */
const ADVISORY_LOCK_KEY = 7_262_019_401;

/** `partial`: some steps ran and the run stopped (crash, kill, failed step); `migrate up` continues, `migrate down` undoes. */
type MigrationState = 'applied' | 'pending' | 'edited' | 'missing' | 'partial';

export interface MigrationStatus {
  id: number;
  name: string;
  state: MigrationState;
  appliedAt: string | null;
  /** For `edited`: the recorded hash and the hash of the files now on disk. */
  expectedHash?: string;
  actualHash?: string;
  file?: string;
  /** For `partial`: where the run stopped. */
  stoppedAt?: { direction: 'up' | 'down'; stepsDone: number; steps: number; next: string; undo: boolean };
}

export interface RunOptions {
  /** Stop after this migration number (up) or roll back down to and excluding it (down). */
  to?: number;
  /** down: run migrations marked irreversible anyway. */
  force?: boolean;
  /** Longest wait for one lock (default 1 s); a step that times out is retried with jittered backoff. */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Total retry time per step after lock timeouts (default 60 s). */
  lockRetryBudgetMs?: number;
  /** Copy what destructive statements destroy into migration_backup first (default true). */
  backups?: boolean;
  /** Target duration of one backfill batch (default 50 ms): row locks are held that long. 0 keeps the declared batch size. */
  backfillBatchMs?: number;
  onProgress?: (event: { action: 'up' | 'down'; name: string; ms: number; report?: MigrationReport }) => void;
  onEvent?: (event: EngineEvent) => void;
  /** Runs under the advisory lock before anything is applied; throwing refuses the run (drift, a saved plan's checks). */
  guard?: (conn: AnyDb) => Promise<unknown>;
  /** Runs under the lock after each migration is applied; throwing stops the run there. */
  afterMigration?: (conn: AnyDb, m: Migration) => Promise<void>;
  /** A squashed baseline (migrate squash): an empty database starts from it instead of replaying the history up to it. */
  baseline?: Baseline | null;
}

export interface RunResult {
  applied: string[];
  rolledBack: string[];
  /** Per migration: steps, lock waits and holds, backups and backfill counts. */
  reports: MigrationReport[];
}

function computeStatus(migrations: Migration[], history: AppliedMigration[], journal: JournalRow[] = []): MigrationStatus[] {
  const byId = new Map(history.map((h) => [h.id, h]));
  const out: MigrationStatus[] = [];
  for (const m of migrations) {
    const h = byId.get(m.id);
    byId.delete(m.id);
    const steps = journal.filter((j) => j.migration_id === m.id);
    if (h && (h.hash !== m.hash || h.name !== m.name)) {
      out.push({
        id: m.id,
        name: m.name,
        state: 'edited',
        appliedAt: h.finished_at.toISOString(),
        expectedHash: h.hash,
        actualHash: m.hash,
        file: `migrations/${m.name}/up.sql or down.sql`,
      });
    } else if (steps.length) {
      const direction = steps.some((j) => j.direction === 'down') ? 'down' : 'up';
      const mine = steps.filter((j) => j.direction === direction);
      const done = mine.filter((j) => j.status === 'done').length;
      const running = mine.find((j) => j.status === 'running');
      out.push({
        id: m.id,
        name: m.name,
        state: steps[0]?.hash === m.hash ? 'partial' : 'edited',
        appliedAt: h ? h.finished_at.toISOString() : null,
        ...(steps[0]?.hash !== m.hash ? { expectedHash: steps[0]?.hash, actualHash: m.hash, file: `migrations/${m.name}` } : {}),
        stoppedAt: {
          direction,
          stepsDone: done,
          steps: mine[0]?.steps ?? 0,
          next: running ? `${running.label} (interrupted)` : `step ${done + 1} of ${mine[0]?.steps ?? 0}`,
          undo: mine.some((j) => j.undo),
        },
      });
    } else if (!h) {
      out.push({ id: m.id, name: m.name, state: 'pending', appliedAt: null });
    } else {
      out.push({ id: m.id, name: m.name, state: 'applied', appliedAt: h.finished_at.toISOString() });
    }
  }
  for (const h of byId.values()) {
    out.push({ id: h.id, name: h.name, state: 'missing', appliedAt: h.finished_at.toISOString() });
  }
  return out.sort((a, b) => a.id - b.id);
}

export async function migrationStatus(db: AnyDb, migrations: Migration[]): Promise<MigrationStatus[]> {
  return computeStatus(migrations, await readHistory(db), await readJournal(db));
}

function refuseDrift(status: MigrationStatus[]): void {
  const edited = status.filter((s) => s.state === 'edited');
  if (edited.length) {
    const e = edited[0] as MigrationStatus;
    throw new MigrationError(
      `${e.name} was edited after it was applied (recorded hash ${e.expectedHash?.slice(0, 12)}, files now ${e.actualHash?.slice(0, 12)}): ` +
        `restore migrations/${e.name}/up.sql and down.sql from git, and put the change in a new migration.`,
    );
  }
  const missing = status.filter((s) => s.state === 'missing');
  if (missing.length) {
    throw new MigrationError(
      `${missing.map((m) => m.name).join(', ')} applied to this database but not found in migrations/: run the code version that has it.`,
    );
  }
}

/**
 * Holds the session-level advisory lock on one connection for the whole run. Waiting runners poll
 * with pg_try_advisory_lock instead of blocking in one statement: a blocked statement keeps a
 * snapshot open, and CREATE INDEX CONCURRENTLY in the lock holder would wait for it forever.
 */
async function withLock<T>(db: AnyDb, opts: RunOptions, fn: (conn: AnyDb) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    for (let waited = false; ; waited = true) {
      const r = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${ADVISORY_LOCK_KEY}) AS ok`.execute(conn);
      if (r.rows[0]?.ok) break;
      if (!waited) opts.onEvent?.({ type: 'waiting', reason: 'another runner holds the migration lock' });
      await sleep(50 + Math.random() * 200);
    }
    try {
      await ensureHistoryTable(conn);
      await ensureEngineTables(conn);
      await ensureBackupSchema(conn);
      return await fn(conn);
    } finally {
      await sql`SELECT pg_advisory_unlock(${ADVISORY_LOCK_KEY})`.execute(conn);
    }
  });
}

function context(conn: AnyDb, opts: RunOptions): RunContext {
  const settings: LockSettings = {
    lockTimeoutMs: opts.lockTimeoutMs ?? DEFAULT_LOCK_SETTINGS.lockTimeoutMs,
    statementTimeoutMs: opts.statementTimeoutMs ?? DEFAULT_LOCK_SETTINGS.statementTimeoutMs,
    retryBudgetMs: opts.lockRetryBudgetMs ?? DEFAULT_LOCK_SETTINGS.retryBudgetMs,
  };
  return { conn, settings, targetBatchMs: opts.backfillBatchMs ?? 50, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) };
}

async function saveReport(conn: AnyDb, id: number, r: MigrationReport): Promise<void> {
  await sql`
    UPDATE schema_migrations SET lock_wait_ms = ${r.lockWaitMs}, lock_hold_ms = ${r.accessExclusiveMs},
      rows_backfilled = ${r.rowsBackfilled}, report = ${JSON.stringify(r)}::jsonb
    WHERE id = ${id}`.execute(conn);
}

/**
 * Applies pending migrations in order under one advisory lock, step by step (see steps.ts), and
 * continues a migration a crashed run left half-applied. A migration half rolled back is first
 * rolled back completely, then applied again.
 */
export async function migrateUp(db: AnyDb, migrations: Migration[], opts: RunOptions = {}): Promise<RunResult> {
  return withLock(db, opts, async (conn) => {
    // Under the lock: another runner may have applied everything while we waited.
    let history = await readHistory(conn);
    const journal = await readJournal(conn);
    let status = computeStatus(migrations, history, journal);
    refuseDrift(status);
    await opts.guard?.(conn);
    const base = opts.baseline;
    const fromBaseline: string[] = [];
    if (base && !history.length && !journal.length && (opts.to === undefined || opts.to >= base.until)) {
      fromBaseline.push(...(await applyBaseline(conn, migrations, base, runner())));
      history = await readHistory(conn);
      status = computeStatus(migrations, history, journal);
    }
    const ctx = context(conn, opts);
    const result: RunResult = { applied: [...fromBaseline], rolledBack: [], reports: [] };
    const halfDown = status.filter((s) => s.state === 'partial' && s.stoppedAt?.direction === 'down').reverse();
    for (const s of halfDown) {
      const m = migrations.find((x) => x.id === s.id) as Migration;
      result.reports.push(await rollBack(ctx, m, journal, false));
      result.rolledBack.push(m.name);
    }
    let prevChain = (await readHistory(conn)).at(-1)?.chain_hash ?? '';
    for (const m of migrations) {
      if (opts.to !== undefined && m.id > opts.to) break;
      const state = halfDown.some((h) => h.id === m.id) ? 'pending' : status.find((s) => s.id === m.id)?.state;
      if (state !== 'pending' && state !== 'partial') continue;
      const started = new Date();
      const chain = chainHash(prevChain, m.name, m.hash);
      const steps = buildSteps(m, 'up', { backups: opts.backups ?? true });
      const mine = journal.filter((j) => j.migration_id === m.id && j.direction === 'up');
      const report = await runSteps(ctx, m, 'up', steps, mine, false, async (trx) => {
        const finished = new Date();
        await sql`
          INSERT INTO schema_migrations (id, name, hash, chain_hash, applied_by, started_at, finished_at, duration_ms, statements)
          VALUES (${m.id}, ${m.name}, ${m.hash}, ${chain}, ${runner()}, ${started}, ${finished},
                  ${finished.getTime() - started.getTime()}, ${m.upStatements.length})`.execute(trx);
        // A single transactional step never journals: nothing to clear, and a shorter lock hold.
        // Any step outside a transaction (concurrent index, backfill) journals, even alone.
        if (journals(steps) || mine.length) await clearJournal(trx, m.id);
      });
      await saveReport(conn, m.id, report);
      prevChain = chain;
      result.applied.push(m.name);
      result.reports.push(report);
      opts.onProgress?.({ action: 'up', name: m.name, ms: Date.now() - started.getTime(), report });
      await opts.afterMigration?.(conn, m);
    }
    return result;
  });
}

/**
 * Rolls back applied migrations newest first, down to (not including) `to`; default: the last one.
 * A migration a crashed `up` left half-applied is undone first (and, without `to`, alone): its
 * down.sql runs with statements on objects the partial run never created skipped.
 */
export async function migrateDown(db: AnyDb, migrations: Migration[], opts: RunOptions = {}): Promise<RunResult> {
  return withLock(db, opts, async (conn) => {
    const history = await readHistory(conn);
    const journal = await readJournal(conn);
    const status = computeStatus(migrations, history, journal);
    refuseDrift(status);
    const byId = new Map(migrations.map((m) => [m.id, m]));
    const halfUp = status.filter((s) => s.state === 'partial' && !history.some((h) => h.id === s.id)).reverse();
    const fallback = halfUp.length ? (history.at(-1)?.id ?? 0) : history.length >= 2 ? (history.at(-2) as AppliedMigration).id : 0;
    const target = opts.to ?? fallback;
    const toUndo = [
      ...halfUp.map((s) => byId.get(s.id) as Migration),
      ...history
        .filter((h) => h.id > target)
        .reverse()
        .map((h) => byId.get(h.id) as Migration),
    ];
    const blocked = toUndo.find((m) => m.irreversible);
    if (blocked && !opts.force) {
      throw new MigrationError(`${blocked.name} is irreversible (${blocked.irreversible}); pass --force to run its down.sql anyway.`);
    }
    const ctx = context(conn, opts);
    const result: RunResult = { applied: [], rolledBack: [], reports: [] };
    for (const m of toUndo) {
      const started = Date.now();
      const undo = halfUp.some((s) => s.id === m.id) || journal.some((j) => j.migration_id === m.id && j.undo);
      const report = await rollBack(ctx, m, journal, undo, opts.backups ?? true);
      result.reports.push(report);
      result.rolledBack.push(m.name);
      opts.onProgress?.({ action: 'down', name: m.name, ms: Date.now() - started, report });
    }
    return result;
  });
}

async function rollBack(ctx: RunContext, m: Migration, journal: JournalRow[], undo: boolean, backups = true): Promise<MigrationReport> {
  const steps = buildSteps(m, 'down', { backups });
  const mine = journal.filter((j) => j.migration_id === m.id && j.direction === 'down');
  const journaled = journals(steps) || journal.some((j) => j.migration_id === m.id);
  return runSteps(ctx, m, 'down', steps, mine, undo || mine.some((j) => j.undo), async (trx) => {
    await sql`DELETE FROM schema_migrations WHERE id = ${m.id}`.execute(trx);
    if (journaled) await clearJournal(trx, m.id);
  });
}

/** Whether running these steps writes journal rows (see runSteps): several steps, or any outside a transaction. */
function journals(steps: { kind: string }[]): boolean {
  return steps.length > 1 || steps.some((s) => s.kind !== 'tx');
}

export function runner(): string {
  try {
    return `${userInfo().username}@pid${process.pid}`;
  } catch {
    return `pid${process.pid}`;
  }
}
