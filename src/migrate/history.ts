import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';

/** One applied migration, as recorded. chain_hash links each record to the one before it. */
export interface AppliedMigration {
  id: number;
  name: string;
  hash: string;
  chain_hash: string;
  applied_by: string;
  started_at: Date;
  finished_at: Date;
  duration_ms: number;
  statements: number;
}

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

export function chainHash(prevChain: string, name: string, hash: string): string {
  return createHash('sha256').update(prevChain).update('\0').update(name).update('\0').update(hash).digest('hex');
}

export async function ensureHistoryTable(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      id integer PRIMARY KEY,
      name text NOT NULL UNIQUE,
      hash text NOT NULL,
      chain_hash text NOT NULL,
      applied_by text NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz NOT NULL,
      duration_ms integer NOT NULL,
      statements integer NOT NULL
    )`.execute(db);
}

export async function readHistory(db: AnyDb): Promise<AppliedMigration[]> {
  const exists = await sql<{ t: string | null }>`SELECT to_regclass('schema_migrations')::text AS t`.execute(db);
  if (!exists.rows[0]?.t) return [];
  const r = await sql<AppliedMigration>`SELECT * FROM schema_migrations ORDER BY id`.execute(db);
  return r.rows;
}
