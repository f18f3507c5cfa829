import { sql } from 'kysely';
import type { Catalog } from '../catalog.ts';
import { clauseAfter, type Node, names, type ParsedStatement, parenthesised, quoteIdent, relName } from '../parse.ts';
import type { RawFinding } from './rules.ts';

/**
 * Data-aware checks against the target database, for statements of migrations not yet applied:
 * what would make the statement fail there (NULLs before NOT NULL, duplicates before a unique
 * index, rows that break a CHECK or a foreign key before it is validated).
 */
export async function probeStatement(s: ParsedStatement, catalog: Catalog, createdHere: Set<string>): Promise<RawFinding[]> {
  const out: RawFinding[] = [];
  const n = s.node;
  if (s.type === 'IndexStmt' && n.unique) {
    const table = relName(n.relation);
    if (createdHere.has(table) || !(await catalog.tableExists(table))) return out;
    const elems = indexElements(s.sql, n);
    if (!elems) return out;
    const where = n.whereClause ? clauseAfter(s.sql, 'WHERE') : '';
    await duplicates(catalog, table, elems, where, out);
  }
  if (s.type !== 'AlterTableStmt') return out;
  const table = relName(n.relation);
  if (createdHere.has(table) || !(await catalog.tableExists(table))) return out;
  const t = quoteIdent(table);
  for (const raw of n.cmds ?? []) {
    const cmd = raw.AlterTableCmd as Node;
    if (cmd.subtype === 'AT_SetNotNull' && (await catalog.columnType(table, cmd.name))) {
      const nulls = await catalog.probe(
        `nulls:${table}.${cmd.name}`,
        `SELECT count(*) AS n FROM ${t} WHERE ${quoteIdent(cmd.name)} IS NULL`,
      );
      if (nulls)
        out.push({
          rule: 'probe-nulls',
          message: `${nulls} rows of ${table} have ${cmd.name} NULL: SET NOT NULL would fail on the target database.`,
        });
    }
    if (cmd.subtype === 'AT_AddConstraint') await probeConstraint(catalog, s.sql, table, cmd.def.Constraint as Node, out);
    if (cmd.subtype === 'AT_ValidateConstraint') await probeExisting(catalog, table, cmd.name, out);
  }
  return out;
}

async function duplicates(catalog: Catalog, table: string, elems: string[], where: string, out: RawFinding[]): Promise<void> {
  const list = elems.join(', ');
  // NULLs never collide in a unique index (unless NULLS NOT DISTINCT): leave rows with any NULL out.
  const notNull = elems.map((e) => `(${e}) IS NOT NULL`).join(' AND ');
  const filter = [notNull, where ? `(${where})` : ''].filter(Boolean).join(' AND ');
  const q = `SELECT count(*) AS n FROM (SELECT 1 FROM ${quoteIdent(table)} WHERE ${filter} GROUP BY ${list} HAVING count(*) > 1) d`;
  const groups = await catalog.probe(`dup:${table}:${list}:${where}`, q);
  if (groups)
    out.push({
      rule: 'probe-duplicates',
      message: `${groups} values of (${list}) occur more than once in ${table}: the unique index would fail on the target database.`,
    });
}

async function probeConstraint(catalog: Catalog, text: string, table: string, c: Node, out: RawFinding[]): Promise<void> {
  const t = quoteIdent(table);
  if (c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') {
    const keys = names(c.keys).map(quoteIdent);
    if (keys.length && !c.indexname) await duplicates(catalog, table, keys, '', out);
    if (c.contype === 'CONSTR_PRIMARY') {
      for (const k of names(c.keys)) {
        const nulls = await catalog.probe(`nulls:${table}.${k}`, `SELECT count(*) AS n FROM ${t} WHERE ${quoteIdent(k)} IS NULL`);
        if (nulls) out.push({ rule: 'probe-nulls', message: `${nulls} rows of ${table} have ${k} NULL: the primary key would fail.` });
      }
    }
  }
  if (c.contype === 'CONSTR_CHECK') {
    const expr = parenthesised(text, c.location ?? 0);
    if (expr) await checkViolations(catalog, table, c.conname ?? 'CHECK', expr, out);
  }
  if (c.contype === 'CONSTR_FOREIGN') {
    await fkViolations(catalog, table, c.conname ?? 'FOREIGN KEY', names(c.fk_attrs), relName(c.pktable), names(c.pk_attrs), out);
  }
}

async function checkViolations(catalog: Catalog, table: string, name: string, expr: string, out: RawFinding[]): Promise<void> {
  const bad = await catalog.probe(`check:${table}:${expr}`, `SELECT count(*) AS n FROM ${quoteIdent(table)} WHERE NOT (${expr})`);
  if (bad)
    out.push({
      rule: 'probe-violations',
      message: `${bad} rows of ${table} violate ${name} (${expr}): validating it would fail on the target database.`,
    });
}

async function fkViolations(
  catalog: Catalog,
  table: string,
  name: string,
  cols: string[],
  parent: string,
  parentCols: string[],
  out: RawFinding[],
) {
  if (!cols.length || !(await catalog.tableExists(parent)) || !cols.every(Boolean)) return;
  const pcols = parentCols.length ? parentCols : ['id'];
  const join = cols.map((c, i) => `p.${quoteIdent(pcols[i] ?? 'id')} = c.${quoteIdent(c)}`).join(' AND ');
  const present = cols.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
  const q = `SELECT count(*) AS n FROM ${quoteIdent(table)} c WHERE ${present} AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(parent)} p WHERE ${join})`;
  const bad = await catalog.probe(`fk:${table}:${cols}:${parent}`, q);
  if (bad)
    out.push({
      rule: 'probe-violations',
      message: `${bad} rows of ${table} point at no ${parent} row (${name}): validating it would fail on the target database.`,
    });
}

/** VALIDATE CONSTRAINT of a constraint that already exists NOT VALID in the target database. */
async function probeExisting(catalog: Catalog, table: string, name: string, out: RawFinding[]): Promise<void> {
  const r = await sql<{ contype: string; def: string; cols: string[]; parent: string | null; pcols: string[] }>`
    SELECT c.contype::text AS contype, pg_get_constraintdef(c.oid) AS def,
           ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = ANY (c.conkey)) AS cols,
           c.confrelid::regclass::text AS parent,
           ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = c.confrelid AND attnum = ANY (c.confkey)) AS pcols
    FROM pg_constraint c WHERE c.conrelid = to_regclass(${quoteIdent(table)}) AND c.conname = ${name}`.execute(catalog.db);
  const c = r.rows[0];
  if (!c) return;
  if (c.contype === 'c') {
    const expr = /^CHECK \(([\s\S]*)\)( NOT VALID)?$/.exec(c.def)?.[1];
    if (expr) await checkViolations(catalog, table, name, expr, out);
  }
  if (c.contype === 'f' && c.parent) await fkViolations(catalog, table, name, c.cols, c.parent.replaceAll('"', ''), c.pcols, out);
}

/** The key expressions of CREATE INDEX, as SQL text (columns quoted, expressions as written). */
function indexElements(text: string, n: Node): string[] | null {
  const params: Node[] = n.indexParams ?? [];
  if (params.every((p) => p.IndexElem?.name)) return params.map((p) => quoteIdent(p.IndexElem.name));
  const inner = parenthesised(text, n.relation?.location ?? 0);
  if (!inner) return null;
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of inner) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.replace(/\s+(ASC|DESC|NULLS\s+(FIRST|LAST))\b.*$/i, '').trim());
}
