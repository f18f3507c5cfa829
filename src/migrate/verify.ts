import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import { type Database, openPglite, openPostgres } from './database.ts';
import { migrateDown, migrateUp } from './engine.ts';
import { diffFingerprints, type Fingerprint, schemaFingerprint } from './fingerprint.ts';
import type { Migration } from './load.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

export interface VerifiedMigration {
  name: string;
  /** up → down → up gave back the same schema at each step. */
  ok: boolean;
  /** The down was skipped: the migration says it is irreversible, and why. */
  irreversible: string | null;
  /** What differed: `- ` lines expected, `+ ` lines found. */
  diff: string[];
  fingerprint: string;
  ms: number;
}

export interface VerifyResult {
  ok: boolean;
  migrations: VerifiedMigration[];
  ms: number;
}

/**
 * For every migration in order, on an empty scratch database: up, fingerprint; down, which must
 * give back the previous fingerprint; up again, which must give back the same one. An
 * irreversible migration is reported as such and not rolled back.
 */
export async function verifyMigrations(
  db: AnyDb,
  migrations: Migration[],
  onMigration?: (v: VerifiedMigration) => void,
): Promise<VerifyResult> {
  const started = performance.now();
  const out: VerifiedMigration[] = [];
  let before: Fingerprint = await schemaFingerprint(db);
  for (const m of migrations) {
    const t0 = performance.now();
    await migrateUp(db, migrations, { to: m.id });
    const after = await schemaFingerprint(db);
    const diff: string[] = [];
    if (!m.irreversible) {
      await migrateDown(db, migrations, { to: m.id - 1 });
      const back = await schemaFingerprint(db);
      if (back.hash !== before.hash) diff.push(`after down (expected the schema before ${m.name}):`, ...diffFingerprints(before, back));
      await migrateUp(db, migrations, { to: m.id });
      const again = await schemaFingerprint(db);
      if (again.hash !== after.hash) diff.push(`after up again (expected the schema of the first up):`, ...diffFingerprints(after, again));
    }
    const v: VerifiedMigration = {
      name: m.name,
      ok: diff.length === 0,
      irreversible: m.irreversible,
      diff,
      fingerprint: after.hash.slice(0, 16),
      ms: Math.round(performance.now() - t0),
    };
    out.push(v);
    onMigration?.(v);
    before = after;
  }
  return { ok: out.every((v) => v.ok), migrations: out, ms: Math.round(performance.now() - started) };
}

/**
 * A throw-away empty database: a new database on the same PostgreSQL server (dropped after), or
 * an in-memory PGlite. Never the target database itself.
 */
export async function withScratchDatabase<T>(databaseUrl: string | null, fn: (d: Database) => Promise<T>): Promise<T> {
  if (!databaseUrl) {
    const d = await openPglite(undefined);
    try {
      return await fn(d);
    } finally {
      await d.close();
    }
  }
  const name = `qc_scratch_${randomBytes(6).toString('hex')}`;
  const admin = openPostgres(databaseUrl, 1);
  try {
    await sql.raw(`CREATE DATABASE ${name}`).execute(admin.db);
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    const d = openPostgres(url.toString(), 2);
    try {
      return await fn(d);
    } finally {
      await d.close();
      await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin.db);
    }
  } finally {
    await admin.close();
  }
}
