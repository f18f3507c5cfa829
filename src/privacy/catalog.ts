import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/** PostgreSQL's pg_constraint.confdeltype codes. */
export type OnDelete = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';
const ON_DELETE: Record<string, OnDelete> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

export interface ForeignKey {
  name: string;
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: OnDelete;
}

/** Every foreign key of the public schema, read from the catalog (not from our own list). */
export async function loadForeignKeys(db: Db): Promise<ForeignKey[]> {
  const r = await sql<{ name: string; tbl: string; cols: string[]; ref: string; refcols: string[]; del: string }>`
    SELECT c.conname AS name, t.relname AS tbl, rt.relname AS ref, c.confdeltype AS del,
           ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS cols,
           ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS refcols
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_class rt ON rt.oid = c.confrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE c.contype = 'f' AND n.nspname = 'public'
    ORDER BY c.conname`.execute(db);
  return r.rows.map((x) => ({
    name: x.name,
    table: x.tbl,
    columns: x.cols,
    refTable: x.ref,
    refColumns: x.refcols,
    onDelete: ON_DELETE[x.del] ?? 'no action',
  }));
}

export interface TextColumn {
  table: string;
  column: string;
  type: string;
}

/** Every column of the public schema that can hold text (text, varchar, json, jsonb). */
export async function listTextColumns(db: Db): Promise<TextColumn[]> {
  const r = await sql<{ table_name: string; column_name: string; data_type: string }>`
    SELECT c.table_name, c.column_name, c.data_type
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
      AND c.data_type IN ('text', 'character varying', 'json', 'jsonb', 'uuid')
    ORDER BY c.table_name, c.column_name`.execute(db);
  return r.rows.map((x) => ({ table: x.table_name, column: x.column_name, type: x.data_type }));
}

/** Tables whose primary key is a single column named `id` (the graph walk follows their rows). */
export async function tablesWithIdKey(db: Db): Promise<Set<string>> {
  const r = await sql<{ tbl: string }>`
    SELECT t.relname AS tbl
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE c.contype = 'p' AND n.nspname = 'public' AND array_length(c.conkey, 1) = 1
      AND (SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = c.conkey[1]) = 'id'`.execute(db);
  return new Set(r.rows.map((x) => x.tbl));
}
