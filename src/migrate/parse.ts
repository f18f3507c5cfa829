import { loadModule, parseSync, scanSync } from 'libpg-query';
import { MigrationError } from './errors.ts';

// The real PostgreSQL parser (WASM, ~20 ms to load once): no regex over SQL. Loaded at import
// so that parsing stays synchronous for every caller.
await loadModule();

/** A parse-tree node as libpg-query gives it: `{ NodeType: { ...fields } }`. */
// biome-ignore lint/suspicious/noExplicitAny: the AST is dynamic JSON; helpers below narrow it.
export type Node = Record<string, any>;

export interface ParsedStatement {
  /** 1-based position in its file. */
  index: number;
  /** The text that runs: the statement without its leading comment lines. */
  sql: string;
  /** 1-based line of the statement's first line in its file. */
  line: number;
  /** Node type, e.g. `AlterTableStmt`. */
  type: string;
  /** The statement's fields; `location`s are byte offsets into `sql`. */
  node: Node;
}

/** Parses a SQL file into statements, each re-parsed alone so that locations point into its own text. */
export function parseSqlFile(sqlText: string, file: string): ParsedStatement[] {
  let result: ReturnType<typeof parseSync>;
  try {
    result = parseSync(sqlText);
  } catch (err) {
    throw new MigrationError(`${file}: ${(err as Error).message}`);
  }
  const bytes = Buffer.from(sqlText, 'utf8');
  const out: ParsedStatement[] = [];
  for (const raw of result.stmts ?? []) {
    // Locations are byte offsets; stmt_location is omitted when 0, stmt_len when "to the end".
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
    const slice = bytes.subarray(start, end).toString('utf8');
    const { text, skippedLines } = stripLeadingComments(slice);
    if (!text) continue;
    const line = bytes.subarray(0, start).toString('utf8').split('\n').length + skippedLines;
    const stmt = parseSync(text).stmts?.[0]?.stmt as Node | undefined;
    if (!stmt) continue;
    const type = Object.keys(stmt)[0] as string;
    out.push({ index: out.length + 1, sql: text, line, type, node: stmt[type] });
  }
  return out;
}

function stripLeadingComments(stmt: string): { text: string; skippedLines: number } {
  // Leading comment lines belong to the statement's explanation, not to what runs.
  const lines = stmt.split('\n');
  const first = lines.findIndex((l) => !/^\s*(--.*)?$/.test(l));
  if (first === -1) return { text: '', skippedLines: 0 };
  return { text: lines.slice(first).join('\n').trim(), skippedLines: first };
}

/** `schema.table` or `table`, as the parser folded it. */
export function relName(rangeVar: Node | undefined): string {
  if (!rangeVar) return '';
  return rangeVar.schemaname ? `${rangeVar.schemaname}.${rangeVar.relname}` : String(rangeVar.relname);
}

/** The strings of a `names` list (`[{String: {sval}}]`). */
export function names(list: Node[] | undefined): string[] {
  return (list ?? []).map((n) => n.String?.sval ?? '').filter(Boolean);
}

/** Double-quotes an identifier, or each part of `schema.table`. */
export function quoteIdent(name: string): string {
  return name
    .split('.')
    .map((p) => `"${p.replaceAll('"', '""')}"`)
    .join('.');
}

/**
 * The text inside the first balanced parentheses at or after byte offset `from` of `sql`,
 * found with the SQL scanner (so quotes and comments are respected). Null if there is none.
 */
export function parenthesised(sql: string, from: number): string | null {
  const bytes = Buffer.from(sql, 'utf8');
  const tokens = scanSync(sql).tokens.filter((t) => t.start >= from);
  let depth = 0;
  let open = -1;
  for (const { text, start, end } of tokens) {
    const t = { start, end };
    if (text === '(') {
      if (depth === 0) open = t.end;
      depth++;
    } else if (text === ')') {
      depth--;
      if (depth === 0 && open >= 0) return bytes.subarray(open, t.start).toString('utf8').trim();
    }
  }
  return null;
}

/** The text after the first top-level `keyword` up to the next top-level `until` keyword (or the end). */
export function clauseAfter(sql: string, keyword: string, until?: string): string {
  const bytes = Buffer.from(sql, 'utf8');
  let depth = 0;
  let start = -1;
  let end = bytes.length;
  for (const t of scanSync(sql).tokens) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && start < 0 && t.text.toUpperCase() === keyword) start = t.end;
    else if (depth === 0 && start >= 0 && until && t.text.toUpperCase() === until) {
      end = t.start;
      break;
    }
  }
  return start < 0 ? '' : bytes.subarray(start, end).toString('utf8').trim();
}
