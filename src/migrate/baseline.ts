/**
 * Baselines (`migrate squash` writes them): reading the newest one of a migrations folder, and
 * applying it to an empty database. Apart from squash.ts so the engine can apply one without
 * importing what builds one (which runs the engine).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { MigrationError } from './errors.ts';
import { chainHash } from './history.ts';
import type { Migration } from './load.ts';
import { parseSqlFile } from './parse.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

/** A baseline: the schema (and seed rows) of the history up to `until`, in one file, for new installs. */
export interface Baseline {
  until: number;
  /** Snapshot hash of the schema it builds: the same as the history's up to `until`. */
  schema: string;
  /** The migrations it stands for, as they were squashed: a database built from it records these. */
  history: { id: number; name: string; hash: string }[];
  upSql: string;
  dir: string;
}

const BASELINE = /^baseline_(\d{4})$/;

/** The newest baseline in a migrations folder, or null. */
export function loadBaseline(dir: string): Baseline | null {
  const names = existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => BASELINE.test(n))
        .sort()
    : [];
  const name = names.at(-1);
  if (!name) return null;
  const meta = JSON.parse(readFileSync(join(dir, name, 'baseline.json'), 'utf8'));
  return { ...meta, upSql: readFileSync(join(dir, name, 'up.sql'), 'utf8'), dir: join(dir, name) };
}

/**
 * On an empty database (no history): runs the baseline in one transaction and records the
 * migrations it stands for, with the same hash chain the history would have left. Refused when a
 * squashed migration's files changed since (the baseline would no longer be what they build).
 */
export async function applyBaseline(conn: AnyDb, migrations: Migration[], baseline: Baseline, appliedBy: string): Promise<string[]> {
  const byId = new Map(migrations.map((m) => [m.id, m]));
  for (const h of baseline.history) {
    if (byId.get(h.id)?.hash !== h.hash) {
      throw new MigrationError(
        `${baseline.dir}: ${h.name} changed (or is gone) since it was squashed: squash again (migrate squash --until ${baseline.until})`,
      );
    }
  }
  await conn.transaction().execute(async (trx) => {
    for (const s of parseSqlFile(baseline.upSql, 'baseline')) await sql.raw(s.sql).execute(trx);
    let prev = '';
    const now = new Date();
    for (const h of baseline.history) {
      const m = byId.get(h.id) as Migration;
      prev = chainHash(prev, h.name, h.hash);
      await sql`
        INSERT INTO schema_migrations (id, name, hash, chain_hash, applied_by, started_at, finished_at, duration_ms, statements)
        VALUES (${h.id}, ${h.name}, ${h.hash}, ${prev}, ${`${appliedBy} (baseline ${baseline.until})`}, ${now}, ${now}, 0, ${m.upStatements.length})`.execute(
        trx,
      );
    }
  });
  return baseline.history.map((h) => h.name);
}
