import { type Kysely, sql } from 'kysely';
import { quoteIdent } from './parse.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

/** The kinds in the order a schema is built: each may depend only on kinds before it. */
export const KINDS = [
  'extension',
  'type',
  'sequence',
  'function',
  'table',
  'column',
  'constraint',
  'index',
  'trigger',
  'view',
  'comment',
] as const;
type ObjectKind = (typeof KINDS)[number];

/** One object of the application schema, with the SQL that creates and drops it. */
export interface SchemaObject {
  kind: ObjectKind;
  /** `table`, `table.column`, `table.constraint`, `index`, `name(args)`, … */
  key: string;
  /** What must be equal for two schemas to agree on this object. */
  def: string;
  create: string;
  drop: string;
  /** constraint: FOREIGN KEYs are built after every other constraint (they need the referenced keys). */
  order?: number;
  table?: string;
  column?: ColumnRow;
}

interface ColumnRow {
  t: string;
  c: string;
  type: string;
  notnull: boolean;
  dflt: string | null;
  identity: string;
  generated: string;
  num: number;
}

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
 * functions and types are the extension's, not ours.
 */
export async function snapshotSchema(db: AnyDb, schema = 'public'): Promise<SchemaObject[]> {
  const ns = sql`${schema}::regnamespace`;
  const notExt = (oid: ReturnType<typeof sql>) => sql`NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = ${oid} AND d.deptype = 'e')`;
  const [ext, types, seqs, fns, cols, cons, idx, trg, views, comments] = await Promise.all([
    sql<{ n: string }>`SELECT extname AS n FROM pg_extension WHERE extnamespace = ${ns}`.execute(db),
    sql<{ n: string; labels: string }>`
      SELECT t.typname AS n, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE t.typnamespace = ${ns} AND ${notExt(sql`t.oid`)} GROUP BY t.typname`.execute(db),
    sql<{ n: string }>`
      SELECT c.relname AS n FROM pg_class c WHERE c.relnamespace = ${ns} AND c.relkind = 'S'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('i', 'e'))`.execute(db),
    sql<{ n: string; args: string; def: string }>`
      SELECT p.proname AS n, pg_get_function_identity_arguments(p.oid) AS args, pg_get_functiondef(p.oid) AS def
      FROM pg_proc p WHERE p.pronamespace = ${ns} AND p.prokind IN ('f', 'p') AND ${notExt(sql`p.oid`)}`.execute(db),
    sql<ColumnRow>`
      SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
             pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attidentity::text AS identity, a.attgenerated::text AS generated, a.attnum AS num
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = ${ns} AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
        AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`.execute(db),
    sql<{ t: string; n: string; type: string; def: string }>`
      SELECT c.relname AS t, k.conname AS n, k.contype::text AS type, pg_get_constraintdef(k.oid) AS def
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
      WHERE k.connamespace = ${ns} AND c.relname <> 'schema_migrations' AND k.contype <> 'n'`.execute(db),
    sql<{ t: string; n: string; def: string; valid: boolean }>`
      SELECT c.relname AS t, ic.relname AS n, pg_get_indexdef(i.indexrelid) AS def, i.indisvalid AS valid
      FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE c.relnamespace = ${ns} AND c.relname <> 'schema_migrations'
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)`.execute(db),
    sql<{ t: string; n: string; def: string }>`
      SELECT c.relname AS t, t.tgname AS n, pg_get_triggerdef(t.oid) AS def FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE c.relnamespace = ${ns} AND NOT t.tgisinternal`.execute(db),
    sql<{ n: string; def: string }>`
      SELECT c.relname AS n, pg_get_viewdef(c.oid) AS def FROM pg_class c WHERE c.relnamespace = ${ns} AND c.relkind = 'v'`.execute(db),
    sql<{ t: string; c: string | null; text: string }>`
      SELECT c.relname AS t, a.attname AS c, d.description AS text
      FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
      LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
      WHERE c.relnamespace = ${ns} AND c.relkind IN ('r', 'p', 'v') AND c.relname <> 'schema_migrations'`.execute(db),
  ]);
  const out: SchemaObject[] = [];
  for (const e of ext.rows) {
    out.push({
      kind: 'extension',
      key: e.n,
      def: e.n,
      create: `CREATE EXTENSION IF NOT EXISTS ${q(e.n)};`,
      drop: `DROP EXTENSION ${q(e.n)};`,
    });
  }
  for (const t of types.rows) {
    out.push({
      kind: 'type',
      key: t.n,
      def: `enum (${t.labels})`,
      create: `CREATE TYPE ${q(t.n)} AS ENUM (${t.labels.split(',').map(lit).join(', ')});`,
      drop: `DROP TYPE ${q(t.n)};`,
    });
  }
  for (const s of seqs.rows) {
    out.push({ kind: 'sequence', key: s.n, def: s.n, create: `CREATE SEQUENCE ${q(s.n)};`, drop: `DROP SEQUENCE ${q(s.n)};` });
  }
  for (const f of fns.rows) {
    out.push({
      kind: 'function',
      key: `${f.n}(${f.args})`,
      def: f.def.trim(),
      create: `${f.def.trim()};`,
      drop: `DROP FUNCTION ${q(f.n)}(${f.args});`,
    });
  }
  const byTable = new Map<string, ColumnRow[]>();
  for (const c of cols.rows) byTable.set(c.t, [...(byTable.get(c.t) ?? []), c]);
  for (const [t, list] of byTable) {
    out.push({
      kind: 'table',
      key: t,
      def: t,
      create: `CREATE TABLE ${q(t)} (\n${list.map((c) => `  ${columnSql(c)}`).join(',\n')}\n);`,
      drop: `DROP TABLE ${q(t)};`,
    });
    for (const c of list) {
      out.push({
        kind: 'column',
        key: `${t}.${c.c}`,
        table: t,
        column: c,
        def: columnSql(c).slice(q(c.c).length + 1),
        create: `ALTER TABLE ${q(t)} ADD COLUMN ${columnSql(c)};`,
        drop: `ALTER TABLE ${q(t)} DROP COLUMN ${q(c.c)};`,
      });
    }
  }
  for (const k of cons.rows) {
    out.push({
      kind: 'constraint',
      key: `${k.t}.${k.n}`,
      table: k.t,
      def: k.type === 'c' ? normalizeExpr(k.def) : k.def,
      create: `ALTER TABLE ${q(k.t)} ADD CONSTRAINT ${q(k.n)} ${k.def};`,
      drop: `ALTER TABLE ${q(k.t)} DROP CONSTRAINT ${q(k.n)};`,
      order: k.type === 'f' ? 1 : 0,
    });
  }
  for (const i of idx.rows) {
    out.push({
      kind: 'index',
      key: i.n,
      table: i.t,
      def: i.valid ? i.def : `${i.def} (INVALID)`,
      create: `${i.def};`,
      drop: `DROP INDEX ${q(i.n)};`,
    });
  }
  for (const t of trg.rows) {
    out.push({
      kind: 'trigger',
      key: `${t.t}.${t.n}`,
      table: t.t,
      def: t.def,
      create: `${t.def};`,
      drop: `DROP TRIGGER ${q(t.n)} ON ${q(t.t)};`,
    });
  }
  for (const v of views.rows) {
    out.push({
      kind: 'view',
      key: v.n,
      def: v.def.trim(),
      create: `CREATE VIEW ${q(v.n)} AS ${v.def.trim()}`,
      drop: `DROP VIEW ${q(v.n)};`,
    });
  }
  for (const c of comments.rows) {
    const target = c.c ? `COLUMN ${q(c.t)}.${q(c.c)}` : `TABLE ${q(c.t)}`;
    out.push({
      kind: 'comment',
      key: c.c ? `${c.t}.${c.c}` : c.t,
      table: c.t,
      def: c.text,
      create: `COMMENT ON ${target} IS ${lit(c.text)};`,
      drop: `COMMENT ON ${target} IS NULL;`,
    });
  }
  return sortObjects(out);
}

function sortObjects(list: SchemaObject[]): SchemaObject[] {
  const rank = (o: SchemaObject) => KINDS.indexOf(o.kind) * 10 + (o.order ?? 0);
  return [...list].sort((a, b) => rank(a) - rank(b) || a.key.localeCompare(b.key));
}

/**
 * The statements that build `objects` on an empty schema: a table's columns come with its CREATE
 * TABLE, everything else in dependency order.
 */
export function buildSql(objects: SchemaObject[]): string[] {
  return sortObjects(objects)
    .filter((o) => o.kind !== 'column')
    .map((o) => o.create);
}

type Part = string | Part[];

function parts(s: string, from: number): [Part[], number] {
  const out: Part[] = [];
  let buf = '';
  let i = from;
  while (i < s.length) {
    const ch = s[i] as string;
    if (ch === "'") {
      let j = i + 1;
      while (j < s.length && !(s[j] === "'" && s[j + 1] !== "'")) j += s[j] === "'" ? 2 : 1;
      buf += s.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '(' || ch === ')') {
      if (buf) out.push(buf);
      buf = '';
      if (ch === ')') return [out, i + 1];
      const [inner, next] = parts(s, i + 1);
      out.push(inner);
      i = next;
    } else {
      buf += ch;
      i++;
    }
  }
  if (buf) out.push(buf);
  return [out, i];
}

const andChain = (list: Part[]) => {
  const text = list.filter((p) => typeof p === 'string').join('');
  return text.includes(' AND ') && !text.includes(' OR ') && list.every((p, i) => typeof p !== 'string' || p === ' AND ' || i === 0);
};

function flatten(list: Part[]): Part[] {
  const mapped = list.map((p) => (typeof p === 'string' ? p : flatten(p)));
  if (!andChain(mapped)) return mapped;
  return mapped.flatMap((p) => (typeof p !== 'string' && andChain(p) ? p : [p]));
}

const render = (list: Part[]): string => list.map((p) => (typeof p === 'string' ? p : `(${render(p)})`)).join('');

/**
 * `(a AND b) AND c` as `a AND b AND c`: PostgreSQL keeps a nested AND from BETWEEN in the catalog
 * but flattens it when the rendered text is parsed again, so a schema rebuilt from its own
 * definitions (a squashed baseline) would otherwise differ in text only.
 */
function normalizeExpr(def: string): string {
  return render(flatten(parts(def, 0)[0]));
}
