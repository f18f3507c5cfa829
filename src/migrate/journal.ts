import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

/**
 * The engine's own bookkeeping lives outside `public` (the application's schema, which verify and
 * the tests fingerprint): the step journal of migrations in progress and backfill checkpoints.
 */
export const ENGINE_SCHEMA = 'migration_engine';

export type Direction = 'up' | 'down';
export type StepKind = 'tx' | 'concurrent' | 'backfill';

/** What the journal knows of a step, as recorded (`StepMark`) and as read back (`JournalRow`). */
interface StepFields {
  name: string;
  hash: string;
  direction: Direction;
  step: number;
  steps: number;
  kind: StepKind;
  label: string;
  status: 'running' | 'done';
  /** down of a migration whose up never finished: statements on objects that do not exist are skipped. */
  undo: boolean;
}

export interface JournalRow extends StepFields {
  migration_id: number;
  started_at: Date;
  finished_at: Date | null;
  detail: unknown;
}

/** Creates the journal, the checkpoint table and the history's report columns. Call under the advisory lock. */
export async function ensureEngineTables(db: AnyDb): Promise<void> {
  const present = await sql<{ t: string | null }>`SELECT to_regclass('migration_engine.backfills')::text AS t`.execute(db);
  if (!present.rows[0]?.t) {
    await sql.raw(`CREATE SCHEMA IF NOT EXISTS ${ENGINE_SCHEMA}`).execute(db);
    await sql`
      CREATE TABLE IF NOT EXISTS migration_engine.steps (
        migration_id integer NOT NULL,
        name text NOT NULL,
        hash text NOT NULL,
        direction text NOT NULL CHECK (direction IN ('up', 'down')),
        step integer NOT NULL,
        steps integer NOT NULL,
        kind text NOT NULL CHECK (kind IN ('tx', 'concurrent', 'backfill')),
        label text NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'done')),
        undo boolean NOT NULL DEFAULT false,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        detail jsonb,
        PRIMARY KEY (migration_id, direction, step)
      )`.execute(db);
    await sql`
      CREATE TABLE IF NOT EXISTS migration_engine.backfills (
        migration_id integer NOT NULL,
        backfill_no integer NOT NULL,
        table_name text NOT NULL,
        last_key text,
        rows_scanned bigint NOT NULL DEFAULT 0,
        rows_updated bigint NOT NULL DEFAULT 0,
        batches integer NOT NULL DEFAULT 0,
        total_rows bigint NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        PRIMARY KEY (migration_id, backfill_no)
      )`.execute(db);
  }
  const cols = await sql<{ c: string }>`
    SELECT column_name AS c FROM information_schema.columns
    WHERE table_name = 'schema_migrations' AND column_name = 'report' AND table_schema = current_schema()`.execute(db);
  if (!cols.rows.length) {
    await sql`
      ALTER TABLE schema_migrations
        ADD COLUMN IF NOT EXISTS lock_wait_ms integer NOT NULL DEFAULT 0,
        ADD COLUMN IF NOT EXISTS lock_hold_ms integer NOT NULL DEFAULT 0,
        ADD COLUMN IF NOT EXISTS rows_backfilled bigint NOT NULL DEFAULT 0,
        ADD COLUMN IF NOT EXISTS report jsonb`.execute(db);
  }
}

async function exists(db: AnyDb, table: string): Promise<boolean> {
  const r = await sql<{ t: string | null }>`SELECT to_regclass(${table})::text AS t`.execute(db);
  return Boolean(r.rows[0]?.t);
}

export async function readJournal(db: AnyDb): Promise<JournalRow[]> {
  if (!(await exists(db, 'migration_engine.steps'))) return [];
  const r = await sql<JournalRow>`SELECT * FROM migration_engine.steps ORDER BY migration_id, direction, step`.execute(db);
  return r.rows;
}

export interface StepMark extends StepFields {
  migrationId: number;
  detail?: unknown;
}

export async function markStep(db: AnyDb, m: StepMark): Promise<void> {
  const detail = m.detail === undefined ? null : JSON.stringify(m.detail);
  await sql`
    INSERT INTO migration_engine.steps (migration_id, name, hash, direction, step, steps, kind, label, status, undo, finished_at, detail)
    VALUES (${m.migrationId}, ${m.name}, ${m.hash}, ${m.direction}, ${m.step}, ${m.steps}, ${m.kind}, ${m.label}, ${m.status}, ${m.undo},
            ${m.status === 'done' ? sql`now()` : null}, ${detail}::jsonb)
    ON CONFLICT (migration_id, direction, step) DO UPDATE
      SET status = excluded.status, finished_at = excluded.finished_at, detail = excluded.detail, undo = excluded.undo`.execute(db);
}

/** Forgets a migration's steps and checkpoints: done in the transaction that records it applied or rolled back. */
export async function clearJournal(db: AnyDb, migrationId: number): Promise<void> {
  await sql`DELETE FROM migration_engine.steps WHERE migration_id = ${migrationId}`.execute(db);
  await sql`DELETE FROM migration_engine.backfills WHERE migration_id = ${migrationId}`.execute(db);
}
