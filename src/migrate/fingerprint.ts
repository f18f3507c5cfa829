import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

export interface Fingerprint {
  hash: string;
  /** One sorted line per table, column, constraint, index, comment, type, function, trigger and view. */
  lines: string[];
}

/**
 * A description of the application schema (`public`, without the history table) that two
 * databases share exactly when their schemas are the same. Column order is left out: a column
 * dropped and re-added moves to the end, which changes nothing a query can tell by name.
 */
export async function schemaFingerprint(db: AnyDb, schema = 'public'): Promise<Fingerprint> {
  const q = (text: ReturnType<typeof sql<{ f: string }>>) => text.execute(db).then((r) => r.rows.map((x) => x.f));
  const parts = await Promise.all([
    q(sql`
      SELECT 'table ' || c.relname || ' ' || c.relkind::text AS f FROM pg_class c
      WHERE c.relnamespace = ${schema}::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relname <> 'schema_migrations'`),
    q(sql`
      SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
             || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
             || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
             || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
             || CASE WHEN a.attgenerated <> '' THEN ' generated ' || a.attgenerated::text ELSE '' END
             || coalesce(' comment ' || col_description(c.oid, a.attnum), '') AS f
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = ${schema}::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relname <> 'schema_migrations'
        AND a.attnum > 0 AND NOT a.attisdropped`),
    q(sql`
      SELECT 'constraint ' || c.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)
             || CASE WHEN k.convalidated THEN '' ELSE ' (not validated)' END AS f
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
      WHERE k.connamespace = ${schema}::regnamespace AND c.relname <> 'schema_migrations'`),
    q(sql`
      SELECT 'index ' || pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END AS f
      FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
      WHERE c.relnamespace = ${schema}::regnamespace AND c.relname <> 'schema_migrations'`),
    q(sql`
      SELECT 'comment ' || c.relname || ' ' || obj_description(c.oid, 'pg_class') AS f FROM pg_class c
      WHERE c.relnamespace = ${schema}::regnamespace AND obj_description(c.oid, 'pg_class') IS NOT NULL`),
    q(sql`
      SELECT 'type ' || t.typname || ' ' || t.typtype::text
             || coalesce(' (' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) || ')', '') AS f
      FROM pg_type t WHERE t.typnamespace = ${schema}::regnamespace AND t.typtype IN ('e', 'd', 'c')
        AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)`),
    q(sql`
      SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || md5(p.prosrc) AS f
      FROM pg_proc p WHERE p.pronamespace = ${schema}::regnamespace`),
    q(sql`
      SELECT 'trigger ' || pg_get_triggerdef(t.oid) AS f FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE c.relnamespace = ${schema}::regnamespace AND NOT t.tgisinternal`),
    q(sql`
      SELECT 'view ' || c.relname || ' ' || md5(pg_get_viewdef(c.oid)) AS f FROM pg_class c
      WHERE c.relnamespace = ${schema}::regnamespace AND c.relkind IN ('v', 'm')`),
  ]);
  const lines = parts.flat().sort();
  return { hash: createHash('sha256').update(lines.join('\n')).digest('hex'), lines };
}

/** Lines only in `a` (-) and only in `b` (+), for a readable mismatch report. */
export function diffFingerprints(a: Fingerprint, b: Fingerprint): string[] {
  const inB = new Set(b.lines);
  const inA = new Set(a.lines);
  return [...a.lines.filter((l) => !inB.has(l)).map((l) => `- ${l}`), ...b.lines.filter((l) => !inA.has(l)).map((l) => `+ ${l}`)];
}
