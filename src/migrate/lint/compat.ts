import { execFileSync } from 'node:child_process';
import type { Migration } from '../load.ts';
import { type Node, names, type ParsedStatement, relName } from '../parse.ts';
import type { RawFinding } from './rules.ts';

/** What the previous release's code reads, from its Kysely row types and its sources at a git ref. */
export interface PreviousRelease {
  ref: string;
  /** table → column → string-literal values of its row type ('a' | 'b'), empty when not an enum. */
  tables: Map<string, Map<string, string[]>>;
  sources: { file: string; lines: string[] }[];
  /** Migration folders that existed at the ref: only the newer ones are checked. */
  migrations: Set<string>;
}

const git = (repo: string, args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

export function loadPreviousRelease(repo: string, ref: string): PreviousRelease {
  const files = git(repo, ['ls-tree', '-r', '--name-only', ref, '--', 'src', 'migrations']).split('\n').filter(Boolean);
  const read = (f: string) => git(repo, ['show', `${ref}:${f}`]);
  const schemaFiles = files.filter((f) => /^src\/db\/schema[\w-]*\.ts$/.test(f)).map(read);
  return {
    ref,
    tables: rowTypes(schemaFiles),
    sources: files
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('src/migrate/'))
      .map((f) => ({ file: f, lines: read(f).split('\n') })),
    migrations: new Set(files.filter((f) => f.startsWith('migrations/')).map((f) => f.split('/')[1] as string)),
  };
}

/** Parses `export interface DB { table: TypeName; … }` and each `interface TypeName { column: type; … }`. */
function rowTypes(texts: string[]): Map<string, Map<string, string[]>> {
  const interfaces = new Map<string, Map<string, string[]>>();
  let db: [string, string][] = [];
  for (const text of texts) {
    for (const m of text.matchAll(/interface (\w+) \{([\s\S]*?)\n\}/g)) {
      const fields = [...(m[2] ?? '').matchAll(/^\s+(\w+)\??:\s*([^;]+);/gm)].map((f) => [f[1] as string, f[2] as string] as const);
      if (m[1] === 'DB') db = fields.map(([t, type]) => [t, type.split('.').at(-1) as string]);
      else
        interfaces.set(
          m[1] as string,
          new Map(fields.map(([c, type]) => [c, [...type.matchAll(/'([^']*)'/g)].map((v) => v[1] as string)])),
        );
    }
  }
  return new Map(db.map(([t, type]) => [t, interfaces.get(type) ?? new Map()]));
}

function uses(prev: PreviousRelease, table: string, column: string | null): string[] {
  const word = new RegExp(`\\b${column ?? table}\\b`);
  const tableRe = new RegExp(`\\b${table}\\b`);
  const out: string[] = [];
  for (const f of prev.sources) {
    if (column && !f.lines.some((l) => tableRe.test(l))) continue;
    f.lines.forEach((l, i) => {
      if (word.test(l) && !f.file.startsWith('src/db/schema')) out.push(`${f.file}:${i + 1}`);
    });
  }
  return out;
}

const fix = (what: string, prev: PreviousRelease, where: string[]) =>
  `${what}, which the previous release (${prev.ref}) still reads (row type in src/db/schema*.ts${where.length ? `; ${where.slice(0, 3).join(', ')}${where.length > 3 ? `, +${where.length - 3} more` : ''}` : ''}): while it runs during the deploy, its queries fail.`;

/** Drops and renames of tables, columns and enum values the previous release's code still reads. */
export function compatFindings(s: ParsedStatement, prev: PreviousRelease): RawFinding[] {
  const out: RawFinding[] = [];
  const n = s.node;
  const push = (what: string, table: string, column: string | null) =>
    out.push({ rule: 'breaks-previous-release', message: fix(what, prev, uses(prev, table, column)) });
  const col = (t: string, c: string) => prev.tables.get(t)?.has(c);
  if (s.type === 'DropStmt' && n.removeType === 'OBJECT_TABLE') {
    for (const o of n.objects ?? []) {
      const t = names(o.List?.items).at(-1) as string;
      if (prev.tables.has(t)) push(`Drops table ${t}`, t, null);
    }
  }
  if (s.type === 'RenameStmt') {
    const t = relName(n.relation);
    if (n.renameType === 'OBJECT_TABLE' && prev.tables.has(t)) push(`Renames table ${t} to ${n.newname}`, t, null);
    if (n.renameType === 'OBJECT_COLUMN' && col(t, n.subname)) push(`Renames column ${t}.${n.subname} to ${n.newname}`, t, n.subname);
  }
  if (s.type === 'AlterEnumStmt' && n.oldVal) {
    for (const [t, cols] of prev.tables) {
      for (const [c, values] of cols) if (values.includes(n.oldVal)) push(`Renames enum value '${n.oldVal}' (${t}.${c})`, t, c);
    }
  }
  if (s.type === 'AlterTableStmt') {
    const t = relName(n.relation);
    for (const raw of n.cmds ?? []) {
      const cmd = raw.AlterTableCmd as Node;
      if (cmd.subtype === 'AT_DropColumn' && col(t, cmd.name)) push(`Drops column ${t}.${cmd.name}`, t, cmd.name);
      const c = cmd.subtype === 'AT_AddConstraint' ? (cmd.def?.Constraint as Node | undefined) : undefined;
      const e = c?.contype === 'CONSTR_CHECK' ? c.raw_expr?.A_Expr : null;
      const column = e?.kind === 'AEXPR_IN' ? e.lexpr?.ColumnRef?.fields?.at(-1)?.String?.sval : null;
      if (!column) continue;
      const allowed = new Set<string>((e.rexpr?.List?.items ?? []).map((i: Node) => i.A_Const?.sval?.sval).filter(Boolean));
      const gone = (prev.tables.get(t)?.get(column) ?? []).filter((v) => !allowed.has(v));
      if (gone.length) push(`Narrows ${t}.${column} to exclude ${gone.map((v) => `'${v}'`).join(', ')}`, t, column);
    }
  }
  return out;
}

/** The migrations a release after `prev` adds. */
export function newSince(all: Migration[], prev: PreviousRelease): Set<number> {
  return new Set(all.filter((m) => !prev.migrations.has(m.name)).map((m) => m.id));
}
