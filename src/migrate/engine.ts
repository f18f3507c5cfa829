import { userInfo } from 'node:os';
import { type Kysely, sql } from 'kysely';
import { MigrationError } from './errors.ts';
import { type AppliedMigration, chainHash, ensureHistoryTable, readHistory } from './history.ts';
import type { Migration } from './load.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

/** One key for every runner of this schema: 20 concurrent runners apply each migration once. */
const ADVISORY_LOCK_KEY = 7_262_019_401;

export type MigrationState = 'applied' | 'pending' | 'edited' | 'missing';

export interface MigrationStatus {
  id: number;
  name: string;
  state: MigrationState;
  appliedAt: string | null;
  /** For `edited`: the recorded hash and the hash of the files now on disk. */
  expectedHash?: string;
  actualHash?: string;
  file?: string;
}

export interface RunOptions {
  /** Stop after this migration number (up) or roll back down to and excluding it (down). */
  to?: number;
  /** down: run migrations marked irreversible anyway. */
  force?: boolean;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  onProgress?: (event: { action: 'up' | 'down'; name: string; ms: number }) => void;
}

export interface RunResult {
  applied: string[];
  rolledBack: string[];
}

export function computeStatus(migrations: Migration[], history: AppliedMigration[]): MigrationStatus[] {
  const byId = new Map(history.map((h) => [h.id, h]));
  const out: MigrationStatus[] = [];
  for (const m of migrations) {
    const h = byId.get(m.id);
    byId.delete(m.id);
    if (!h) {
      out.push({ id: m.id, name: m.name, state: 'pending', appliedAt: null });
    } else if (h.hash !== m.hash || h.name !== m.name) {
      out.push({
        id: m.id,
        name: m.name,
        state: 'edited',
        appliedAt: h.finished_at.toISOString(),
        expectedHash: h.hash,
        actualHash: m.hash,
        file: `migrations/${m.name}/up.sql or down.sql`,
      });
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
  return computeStatus(migrations, await readHistory(db));
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

/** Holds the session-level advisory lock on one connection for the whole run. */
async function withLock<T>(db: AnyDb, fn: (conn: AnyDb) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${ADVISORY_LOCK_KEY})`.execute(conn);
    try {
      return await fn(conn);
    } finally {
      await sql`SELECT pg_advisory_unlock(${ADVISORY_LOCK_KEY})`.execute(conn);
    }
  });
}

async function setTimeouts(trx: AnyDb, opts: RunOptions): Promise<void> {
  // SET LOCAL takes no parameters; the values are integers we control.
  const lock = Math.max(1, Math.floor(opts.lockTimeoutMs ?? 10_000));
  const stmt = Math.max(1, Math.floor(opts.statementTimeoutMs ?? 600_000));
  await sql.raw(`SET LOCAL lock_timeout = ${lock}`).execute(trx);
  await sql.raw(`SET LOCAL statement_timeout = ${stmt}`).execute(trx);
}

async function runStatements(trx: AnyDb, statements: string[], label: string): Promise<void> {
  for (const [i, stmt] of statements.entries()) {
    try {
      await sql.raw(stmt).execute(trx);
    } catch (err) {
      const first = stmt.split('\n')[0];
      throw new MigrationError(`${label}, statement ${i + 1} (${first}…): ${(err as Error).message}`);
    }
  }
}

/** Applies pending migrations in order, each in its own transaction, under one advisory lock. */
export async function migrateUp(db: AnyDb, migrations: Migration[], opts: RunOptions = {}): Promise<RunResult> {
  return withLock(db, async (conn) => {
    // Under the lock: CREATE TABLE IF NOT EXISTS races with itself, and another runner may have
    // applied everything while we waited.
    await ensureHistoryTable(conn);
    const history = await readHistory(conn);
    const status = computeStatus(migrations, history);
    refuseDrift(status);
    const applied: string[] = [];
    let prevChain = history.at(-1)?.chain_hash ?? '';
    for (const m of migrations) {
      if (opts.to !== undefined && m.id > opts.to) break;
      if (status.find((s) => s.id === m.id)?.state !== 'pending') continue;
      const started = new Date();
      const chain = chainHash(prevChain, m.name, m.hash);
      await conn.transaction().execute(async (trx) => {
        await setTimeouts(trx, opts);
        await runStatements(trx, m.upStatements, `${m.name}/up.sql`);
        const finished = new Date();
        await sql`
          INSERT INTO schema_migrations (id, name, hash, chain_hash, applied_by, started_at, finished_at, duration_ms, statements)
          VALUES (${m.id}, ${m.name}, ${m.hash}, ${chain}, ${runner()}, ${started}, ${finished},
                  ${finished.getTime() - started.getTime()}, ${m.upStatements.length})`.execute(trx);
      });
      prevChain = chain;
      applied.push(m.name);
      opts.onProgress?.({ action: 'up', name: m.name, ms: Date.now() - started.getTime() });
    }
    return { applied, rolledBack: [] };
  });
}

/** Rolls back applied migrations newest first, down to (not including) `to`; default: the last one. */
export async function migrateDown(db: AnyDb, migrations: Migration[], opts: RunOptions = {}): Promise<RunResult> {
  return withLock(db, async (conn) => {
    await ensureHistoryTable(conn);
    const history = await readHistory(conn);
    refuseDrift(computeStatus(migrations, history));
    const target = opts.to ?? (history.length >= 2 ? (history.at(-2) as AppliedMigration).id : 0);
    const toUndo = history.filter((h) => h.id > target).reverse();
    const byId = new Map(migrations.map((m) => [m.id, m]));
    const blocked = toUndo.map((h) => byId.get(h.id) as Migration).find((m) => m.irreversible);
    if (blocked && !opts.force) {
      throw new MigrationError(`${blocked.name} is irreversible (${blocked.irreversible}); pass --force to run its down.sql anyway.`);
    }
    const rolledBack: string[] = [];
    for (const h of toUndo) {
      const m = byId.get(h.id) as Migration;
      const started = Date.now();
      await conn.transaction().execute(async (trx) => {
        await setTimeouts(trx, opts);
        await runStatements(trx, m.downStatements, `${m.name}/down.sql`);
        await sql`DELETE FROM schema_migrations WHERE id = ${m.id}`.execute(trx);
      });
      rolledBack.push(m.name);
      opts.onProgress?.({ action: 'down', name: m.name, ms: Date.now() - started });
    }
    return { applied: [], rolledBack };
  });
}

function runner(): string {
  try {
    return `${userInfo().username}@pid${process.pid}`;
  } catch {
    return `pid${process.pid}`;
  }
}
