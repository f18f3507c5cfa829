import { type Kysely, sql } from 'kysely';
import { quoteIdent } from './parse.ts';
import { type ColumnRow, type SchemaObject, sortObjects } from './schema-object.ts';
import { normalizeExpr } from './snapshot-expr.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

const q = quoteIdent;
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

function columnSql(c: ColumnRow): string {
  const parts = [q(c.c), c.type];
  if (c.identity) parts.push(`GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`);
  else if (c.generated === 's' && c.dflt) parts.push(`GENERATED ALWAYS AS (${c.dflt}) STORED`);
  else if (c.dflt) parts.push(`DEFAULT ${c.dflt}`);
  if (c.notnull) parts.push('NOT NULL');
  return parts.join(' ');
}

/**
 * The application schema (`public` without the engine's history table; pg-boss, the engine and
 * backups live in schemas of their own) as objects a diff can compare one by one. Extension-owned
 * functions and types are the extension's, not ours. One catalog reader per kind of object.
 */
export async function snapshotSchema(db: AnyDb, schema = 'public'): Promise<SchemaObject[]> {
  const ns = sql`${schema}::regnamespace`;
  const lists = await Promise.all(READERS.map((read) => read(db, ns)));
  return sortObjects(lists.flat());
}

type Namespace = ReturnType<typeof sql>;
type Reader = (db: AnyDb, ns: Namespace) => Promise<SchemaObject[]>;

/** Not created by an extension (its functions and types come and go with it). */
const notExt = (oid: Namespace) => sql`NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = ${oid} AND d.deptype = 'e')`;

const extensions: Reader = async (db, ns) => {
  const r = await sql<{ n: string }>`SELECT extname AS n FROM pg_extension WHERE extnamespace = ${ns}`.execute(db);
  return r.rows.map((e) => ({
    kind: 'extension',
    key: e.n,
    def: e.n,
    create: `CREATE EXTENSION IF NOT EXISTS ${q(e.n)};`,
    drop: `DROP EXTENSION ${q(e.n)};`,
  }));
};

const enums: Reader = async (db, ns) => {
  const r = await sql<{ n: string; labels: string }>`
    SELECT t.typname AS n, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
    WHERE t.typnamespace = ${ns} AND ${notExt(sql`t.oid`)} GROUP BY t.typname`.execute(db);
  return r.rows.map((t) => ({
    kind: 'type',
    key: t.n,
    def: `enum (${t.labels})`,
    create: `CREATE TYPE ${q(t.n)} AS ENUM (${t.labels.split(',').map(lit).join(', ')});`,
    drop: `DROP TYPE ${q(t.n)};`,
  }));
};

/** Free-standing sequences: those owned by an identity or serial column come with the column. */
const sequences: Reader = async (db, ns) => {
  const r = await sql<{ n: string }>`
    SELECT c.relname AS n FROM pg_class c WHERE c.relnamespace = ${ns} AND c.relkind = 'S'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('i', 'e'))`.execute(db);
  return r.rows.map((s) => ({
    kind: 'sequence',
    key: s.n,
    def: s.n,
    create: `CREATE SEQUENCE ${q(s.n)};`,
    drop: `DROP SEQUENCE ${q(s.n)};`,
  }));
};

const functions: Reader = async (db, ns) => {
  const r = await sql<{ n: string; args: string; def: string }>`
    SELECT p.proname AS n, pg_get_function_identity_arguments(p.oid) AS args, pg_get_functiondef(p.oid) AS def
    FROM pg_proc p WHERE p.pronamespace = ${ns} AND p.prokind IN ('f', 'p') AND ${notExt(sql`p.oid`)}`.execute(db);
  return r.rows.map((f) => ({
    kind: 'function',
    key: `${f.n}(${f.args})`,
    def: f.def.trim(),
    create: `${f.def.trim()};`,
    drop: `DROP FUNCTION ${q(f.n)}(${f.args});`,
  }));
};

/** Each table, then each of its columns as an object of its own (a diff names the column). */
const tables: Reader = async (db, ns) => {
  const r = await sql<ColumnRow>`
    SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
           pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attidentity::text AS identity, a.attgenerated::text AS generated, a.attnum AS num
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace = ${ns} AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
      AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY c.relname, a.attnum`.execute(db);
  const byTable = Map.groupBy(r.rows, (c) => c.t);
  return [...byTable].flatMap(([t, list]): SchemaObject[] => [
    {
      kind: 'table',
      key: t,
      def: t,
      create: `CREATE TABLE ${q(t)} (\n${list.map((c) => `  ${columnSql(c)}`).join(',\n')}\n);`,
      drop: `DROP TABLE ${q(t)};`,
    },
    ...list.map(
      (c): SchemaObject => ({
        kind: 'column',
        key: `${t}.${c.c}`,
        table: t,
        column: c,
        def: columnSql(c).slice(q(c.c).length + 1),
        create: `ALTER TABLE ${q(t)} ADD COLUMN ${columnSql(c)};`,
        drop: `ALTER TABLE ${q(t)} DROP COLUMN ${q(c.c)};`,
      }),
    ),
  ]);
};

const constraints: Reader = async (db, ns) => {
  const r = await sql<{ t: string; n: string; type: string; def: string }>`
    SELECT c.relname AS t, k.conname AS n, k.contype::text AS type, pg_get_constraintdef(k.oid) AS def
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
    WHERE k.connamespace = ${ns} AND c.relname <> 'schema_migrations' AND k.contype <> 'n'`.execute(db);
  return r.rows.map((k) => ({
    kind: 'constraint',
    key: `${k.t}.${k.n}`,
    table: k.t,
    def: k.type === 'c' ? normalizeExpr(k.def) : k.def,
    create: `ALTER TABLE ${q(k.t)} ADD CONSTRAINT ${q(k.n)} ${k.def};`,
    drop: `ALTER TABLE ${q(k.t)} DROP CONSTRAINT ${q(k.n)};`,
    order: k.type === 'f' ? 1 : 0,
  }));
};

/** Indexes that no constraint owns (a primary key's or unique constraint's index comes with it). */
const indexes: Reader = async (db, ns) => {
  const r = await sql<{ t: string; n: string; def: string; valid: boolean }>`
    SELECT c.relname AS t, ic.relname AS n, pg_get_indexdef(i.indexrelid) AS def, i.indisvalid AS valid
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
    WHERE c.relnamespace = ${ns} AND c.relname <> 'schema_migrations'
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)`.execute(db);
  return r.rows.map((i) => ({
    kind: 'index',
    key: i.n,
    table: i.t,
    def: i.valid ? i.def : `${i.def} (INVALID)`,
    create: `${i.def};`,
    drop: `DROP INDEX ${q(i.n)};`,
  }));
};

const triggers: Reader = async (db, ns) => {
  const r = await sql<{ t: string; n: string; def: string }>`
    SELECT c.relname AS t, t.tgname AS n, pg_get_triggerdef(t.oid) AS def FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE c.relnamespace = ${ns} AND NOT t.tgisinternal`.execute(db);
  return r.rows.map((t) => ({
    kind: 'trigger',
    key: `${t.t}.${t.n}`,
    table: t.t,
    def: t.def,
    create: `${t.def};`,
    drop: `DROP TRIGGER ${q(t.n)} ON ${q(t.t)};`,
  }));
};

const views: Reader = async (db, ns) => {
  const r = await sql<{ n: string; def: string }>`
    SELECT c.relname AS n, pg_get_viewdef(c.oid) AS def FROM pg_class c WHERE c.relnamespace = ${ns} AND c.relkind = 'v'`.execute(db);
  return r.rows.map((v) => ({
    kind: 'view',
    key: v.n,
    def: v.def.trim(),
    create: `CREATE VIEW ${q(v.n)} AS ${v.def.trim()}`,
    drop: `DROP VIEW ${q(v.n)};`,
  }));
};

const comments: Reader = async (db, ns) => {
  const r = await sql<{ t: string; c: string | null; text: string }>`
    SELECT c.relname AS t, a.attname AS c, d.description AS text
    FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
    WHERE c.relnamespace = ${ns} AND c.relkind IN ('r', 'p', 'v') AND c.relname <> 'schema_migrations'`.execute(db);
  return r.rows.map((c) => {
    const target = c.c ? `COLUMN ${q(c.t)}.${q(c.c)}` : `TABLE ${q(c.t)}`;
    return {
      kind: 'comment',
      key: c.c ? `${c.t}.${c.c}` : c.t,
      table: c.t,
      def: c.text,
      create: `COMMENT ON ${target} IS ${lit(c.text)};`,
      drop: `COMMENT ON ${target} IS NULL;`,
    };
  });
};

const READERS: Reader[] = [extensions, enums, sequences, functions, tables, constraints, indexes, triggers, views, comments];
