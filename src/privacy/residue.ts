/**
 * The residue proof: after an erasure, nothing in the database may still be tied to the person.
 *
 * Before the erasure, `collectSubject` walks the foreign keys (read from pg_constraint, with the
 * fates recorded in FK_DECISIONS) from the person's root rows and records every row reached.
 * After it, `findResidue` generates one query per table and per foreign key leading to those rows,
 * plus one per personal-data column of the registry (and, exhaustively, per text or JSON column of
 * the schema) searching for the person's identifiers (e-mail, names, file keys).
 */
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { type ForeignKey, listTextColumns, loadForeignKeys, tablesWithIdKey } from './catalog.ts';
import { FK_DECISIONS, PERSONAL_COLUMNS } from './registry.ts';

export interface Subject {
  /** table → ids of rows reached; `kept` rows may survive (unlinked, pseudonymised). */
  rows: Map<string, { ids: Set<number>; kept: Set<number> }>;
  /** The person's identifiers, searched in text and JSON columns (lower-cased). */
  needles: string[];
}

export interface ResidueHit {
  kind: 'row' | 'foreign_key' | 'personal_column' | 'unregistered_column';
  table: string;
  /** The foreign key or column that still points at the person. */
  via: string;
  count: number;
  sample: string | null;
}

const ident = (name: string) => sql.id(name);

async function childIds(db: Db, fk: ForeignKey, parentIds: number[]): Promise<number[]> {
  const col = fk.columns[0] as string;
  const r = await sql<{ id: number }>`SELECT id FROM ${ident(fk.table)} WHERE ${ident(col)} = ANY(${parentIds}::bigint[])`.execute(db);
  return r.rows.map((x) => Number(x.id));
}

async function parentIds(db: Db, fk: ForeignKey, childRowIds: number[]): Promise<number[]> {
  const col = fk.columns[0] as string;
  const r = await sql<{ id: number }>`
    SELECT DISTINCT ${ident(col)} AS id FROM ${ident(fk.table)}
    WHERE id = ANY(${childRowIds}::bigint[]) AND ${ident(col)} IS NOT NULL`.execute(db);
  return r.rows.map((x) => Number(x.id));
}

/**
 * Every row tied to the roots through foreign keys whose decision is `deleted`, `kept` (children
 * that survive unlinked) or `owned` (parents that belong to the child, e.g. a question's media).
 */
export async function collectSubject(db: Db, roots: { table: string; ids: number[] }[], needles: string[]): Promise<Subject> {
  const fks = (await loadForeignKeys(db)).filter((f) => f.columns.length === 1);
  const withId = await tablesWithIdKey(db);
  const rows: Subject['rows'] = new Map();
  const queue: { table: string; ids: number[]; kept: boolean }[] = roots.map((r) => ({ ...r, kept: false }));
  while (queue.length) {
    const next = queue.shift() as (typeof queue)[number];
    const entry = rows.get(next.table) ?? { ids: new Set<number>(), kept: new Set<number>() };
    rows.set(next.table, entry);
    const fresh = next.ids.filter((id) => (next.kept ? !entry.ids.has(id) && !entry.kept.has(id) : !entry.ids.has(id)));
    if (!fresh.length) continue;
    for (const id of fresh) {
      if (next.kept) entry.kept.add(id);
      else {
        entry.ids.add(id);
        entry.kept.delete(id);
      }
    }
    if (next.kept) continue;
    for (const fk of fks) {
      const fate = FK_DECISIONS[fk.name]?.rows;
      if (fk.refTable === next.table && (fate === 'deleted' || fate === 'kept') && withId.has(fk.table)) {
        const ids = await childIds(db, fk, fresh);
        if (ids.length) queue.push({ table: fk.table, ids, kept: fate === 'kept' });
      }
      if (fk.table === next.table && fate === 'owned' && withId.has(fk.refTable)) {
        const ids = await parentIds(db, fk, fresh);
        if (ids.length) queue.push({ table: fk.refTable, ids, kept: false });
      }
    }
  }
  return { rows, needles: [...new Set(needles.map((n) => n.trim().toLowerCase()).filter((n) => n.length >= 3))] };
}

async function count(db: Db, query: ReturnType<typeof sql<{ n: number; sample: string | null }>>) {
  const r = await query.execute(db);
  const row = r.rows[0];
  return { n: Number(row?.n ?? 0), sample: row?.sample ?? null };
}

export interface ResidueOptions {
  /** Also search every text/JSON column of the schema, not only the registry's (slower). */
  exhaustive?: boolean;
  /** e-mail outbox ids allowed to still hold the address (the confirmation, until delivered). */
  allowEmailOutboxIds?: number[];
}

/** Everything still tied to the subject; empty = the erasure left no residue. */
export async function findResidue(db: Db, subject: Subject, opts: ResidueOptions = {}): Promise<ResidueHit[]> {
  const hits: ResidueHit[] = [];
  const fks = (await loadForeignKeys(db)).filter((f) => f.columns.length === 1);
  for (const [table, { ids, kept }] of subject.rows) {
    const gone = [...ids];
    if (gone.length) {
      const c = await count(
        db,
        sql`SELECT count(*)::int AS n, min(id)::text AS sample FROM ${ident(table)} WHERE id = ANY(${gone}::bigint[])`,
      );
      if (c.n) hits.push({ kind: 'row', table, via: 'id', count: c.n, sample: c.sample });
    }
    const all = [...ids, ...kept];
    // Rows anywhere that still reference a row of the subject (kept rows must have been unlinked).
    for (const fk of fks.filter((f) => f.refTable === table)) {
      const col = fk.columns[0] as string;
      const c = await count(
        db,
        sql`SELECT count(*)::int AS n, min(${ident(col)})::text AS sample FROM ${ident(fk.table)} WHERE ${ident(col)} = ANY(${all}::bigint[])`,
      );
      if (c.n) hits.push({ kind: 'foreign_key', table: fk.table, via: fk.name, count: c.n, sample: c.sample });
    }
  }
  if (!subject.needles.length) return hits;
  const registered = new Set(PERSONAL_COLUMNS.map((c) => `${c.table}.${c.column}`));
  const columns = opts.exhaustive
    ? (await listTextColumns(db)).map((c) => ({ table: c.table, column: c.column }))
    : PERSONAL_COLUMNS.map((c) => ({ table: c.table, column: c.column }));
  const allowed = opts.allowEmailOutboxIds ?? [];
  for (const { table, column } of columns) {
    if (table === 'schema_migrations' || table.startsWith('schema_migration')) continue;
    const except = table === 'email_outbox' && allowed.length ? sql`AND NOT (id = ANY(${allowed}::bigint[]))` : sql``;
    const c = await count(
      db,
      sql`SELECT count(*)::int AS n, min(left(${ident(column)}::text, 120)) AS sample FROM ${ident(table)} t
          WHERE EXISTS (SELECT 1 FROM unnest(${subject.needles}::text[]) AS k(needle)
                        WHERE strpos(lower(t.${ident(column)}::text), k.needle) > 0) ${except}`,
    );
    if (c.n) {
      const kind = registered.has(`${table}.${column}`) ? 'personal_column' : 'unregistered_column';
      hits.push({ kind, table, via: column, count: c.n, sample: c.sample });
    }
  }
  return hits;
}
