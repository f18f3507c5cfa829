import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { openPglite } from './database.ts';
import { migrateUp } from './engine.ts';
import { MigrationError } from './errors.ts';
import { type AppliedMigration, readHistory } from './history.ts';
import { ENGINE_SCHEMA, readJournal } from './journal.ts';
import type { Migration } from './load.ts';
import { quoteIdent } from './parse.ts';
import type { SchemaObject } from './schema-object.ts';
import { snapshotSchema } from './snapshot.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

export interface DriftItem {
  kind: SchemaObject['kind'];
  key: string;
  /** missing: the history creates it and the database lacks it; extra: the reverse; changed: both, different. */
  change: 'missing' | 'extra' | 'changed';
  expected: string | null;
  actual: string | null;
  /** Statements that make the live database match the history. */
  sql: string[];
}

export interface DriftReport {
  applied: number;
  items: DriftItem[];
  /** Snapshot hashes: what the history builds, what the database has. */
  expected: string;
  actual: string;
}

/** One line per object; two schemas agree exactly when their lines do. */
export function snapshotLines(objects: SchemaObject[]): string[] {
  return objects.map((o) => `${o.kind} ${o.key}: ${o.def}`).sort();
}

export function snapshotHash(objects: SchemaObject[]): string {
  return createHash('sha256').update(snapshotLines(objects).join('\n')).digest('hex');
}

/**
 * The schema the applied history produces, built on a scratch in-memory PGlite (the catalog
 * renders the same there as on PostgreSQL 15+, which the drift test checks on both).
 */
async function expectedSchema(migrations: Migration[], applied: Pick<AppliedMigration, 'id'>[]): Promise<SchemaObject[]> {
  const ids = new Set(applied.map((h) => h.id));
  const list = migrations.filter((m) => ids.has(m.id));
  const d = await openPglite(undefined);
  try {
    if (list.length) await migrateUp(d.db, list, { backups: false });
    return await snapshotSchema(d.db);
  } finally {
    await d.close();
  }
}

export function diffSchemas(expected: SchemaObject[], actual: SchemaObject[]): DriftItem[] {
  const key = (o: SchemaObject) => `${o.kind} ${o.key}`;
  const want = new Map(expected.map((o) => [key(o), o]));
  const have = new Map(actual.map((o) => [key(o), o]));
  const missingTables = new Set(expected.filter((o) => o.kind === 'table' && !have.has(key(o))).map((o) => o.key));
  const extraTables = new Set(actual.filter((o) => o.kind === 'table' && !want.has(key(o))).map((o) => o.key));
  const items: DriftItem[] = [];
  for (const o of expected) {
    const a = have.get(key(o));
    if (!a) {
      // A missing table's columns come with its CREATE TABLE.
      if (o.kind === 'column' && missingTables.has(o.table ?? '')) continue;
      if (o.kind === 'comment' && !o.def) continue;
      items.push({ kind: o.kind, key: o.key, change: 'missing', expected: o.def, actual: null, sql: [o.create] });
    } else if (a.def !== o.def) {
      items.push({ kind: o.kind, key: o.key, change: 'changed', expected: o.def, actual: a.def, sql: reconcile(o, a) });
    }
  }
  for (const a of actual) {
    if (want.has(key(a))) continue;
    // Everything on an extra table goes with its DROP TABLE.
    if (a.kind !== 'table' && extraTables.has(a.table ?? '')) continue;
    items.push({ kind: a.kind, key: a.key, change: 'extra', expected: null, actual: a.def, sql: [a.drop] });
  }
  return items;
}

function reconcile(want: SchemaObject, have: SchemaObject): string[] {
  if (want.kind === 'function' || want.kind === 'comment') return [want.create];
  if (want.kind === 'view') return [`CREATE OR REPLACE VIEW ${want.create.slice('CREATE VIEW '.length)}`];
  if (want.kind === 'column' && want.column && have.column) {
    const w = want.column;
    const h = have.column;
    const alter = `ALTER TABLE ${quoteIdent(w.t)} ALTER COLUMN ${quoteIdent(w.c)}`;
    if (w.identity !== h.identity || w.generated !== h.generated) return [have.drop, want.create];
    const out: string[] = [];
    if (w.type !== h.type) out.push(`${alter} TYPE ${w.type};`);
    if (w.dflt !== h.dflt) out.push(w.dflt ? `${alter} SET DEFAULT ${w.dflt};` : `${alter} DROP DEFAULT;`);
    if (w.notnull !== h.notnull) out.push(`${alter} ${w.notnull ? 'SET' : 'DROP'} NOT NULL;`);
    return out;
  }
  if (want.kind === 'type') {
    const have_ = new Set(have.def.slice(6, -1).split(','));
    const add = want.def
      .slice(6, -1)
      .split(',')
      .filter((l) => !have_.has(l));
    const removed = [...have_].some((l) => !want.def.slice(6, -1).split(',').includes(l));
    if (!removed) return add.map((l) => `ALTER TYPE ${quoteIdent(want.key)} ADD VALUE '${l.replaceAll("'", "''")}';`);
  }
  return [have.drop, want.create];
}

/** Compares the live schema with the one the applied history builds. */
export async function detectDrift(db: AnyDb, migrations: Migration[]): Promise<DriftReport> {
  const history = await readHistory(db);
  const [expected, actual] = await Promise.all([expectedSchema(migrations, history), snapshotSchema(db)]);
  return { applied: history.length, items: diffSchemas(expected, actual), expected: snapshotHash(expected), actual: snapshotHash(actual) };
}

export function describeDrift(items: DriftItem[]): string[] {
  const lines: string[] = [];
  for (const i of items) {
    const what =
      i.change === 'missing'
        ? `missing (the history creates it: ${i.expected})`
        : i.change === 'extra'
          ? `not in the history (found: ${i.actual})`
          : `differs: history ${i.expected} ≠ database ${i.actual}`;
    lines.push(`${i.kind} ${i.key}: ${what}`);
    for (const s of i.sql) lines.push(`    ${s.split('\n').join('\n    ')}`);
  }
  return lines;
}

/**
 * A guard for migrateUp (runs under the advisory lock): refuses on drift, or with `allow` records
 * the differences it goes ahead with in migration_engine.drift_log, the engine's journal of them.
 */
export function driftGuard(migrations: Migration[], allow: boolean, by: string) {
  return async (conn: AnyDb): Promise<DriftReport | null> => {
    // A half-applied migration has changed the schema part way: no history builds that; up finishes it first.
    if ((await readJournal(conn)).length) return null;
    const report = await detectDrift(conn, migrations);
    if (!report.items.length) return report;
    if (!allow) {
      throw new MigrationError(
        `The live schema differs from what the ${report.applied} applied migrations build (${report.items.length} difference${report.items.length === 1 ? '' : 's'}: ` +
          `${report.items.map((i) => `${i.kind} ${i.key} ${i.change}`).join(', ')}): nothing was applied. Put the change in a migration or ` +
          `reconcile it (migrate drift prints the SQL); --allow-drift applies anyway and records it.\n  ${describeDrift(report.items).join('\n  ')}`,
      );
    }
    await sql
      .raw(`
      CREATE TABLE IF NOT EXISTS ${ENGINE_SCHEMA}.drift_log (
        at timestamptz NOT NULL DEFAULT now(),
        allowed_by text NOT NULL,
        applied integer NOT NULL,
        items jsonb NOT NULL
      )`)
      .execute(conn);
    await sql`INSERT INTO migration_engine.drift_log (allowed_by, applied, items) VALUES (${by}, ${report.applied}, ${JSON.stringify(report.items)}::jsonb)`.execute(
      conn,
    );
    return report;
  };
}

export async function readDriftLog(db: AnyDb): Promise<{ at: Date; allowed_by: string; applied: number; items: DriftItem[] }[]> {
  const t = await sql<{ t: string | null }>`SELECT to_regclass('migration_engine.drift_log')::text AS t`.execute(db);
  if (!t.rows[0]?.t) return [];
  return (
    await sql<{
      at: Date;
      allowed_by: string;
      applied: number;
      items: DriftItem[];
    }>`SELECT * FROM migration_engine.drift_log ORDER BY at`.execute(db)
  ).rows;
}
