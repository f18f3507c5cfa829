import { loadModule, parseSync } from 'libpg-query';
import { MigrationError } from './errors.ts';

// The real PostgreSQL parser (WASM, ~20 ms to load once): no regex over SQL. Loaded at import
// so that splitting stays synchronous for every caller.
await loadModule();

/** Splits a SQL file into its statements, using the parser's statement locations. */
export function splitStatements(sqlText: string, file: string): string[] {
  let result: ReturnType<typeof parseSync>;
  try {
    result = parseSync(sqlText);
  } catch (err) {
    throw new MigrationError(`${file}: ${(err as Error).message}`);
  }
  const bytes = Buffer.from(sqlText, 'utf8');
  const out: string[] = [];
  for (const raw of result.stmts ?? []) {
    // Locations are byte offsets; stmt_location is omitted when 0, stmt_len when "to the end".
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
    const text = stripComments(bytes.subarray(start, end).toString('utf8'));
    if (text) out.push(text);
  }
  return out;
}

function stripComments(stmt: string): string {
  // Leading comment lines belong to the statement's explanation, not to what runs.
  const lines = stmt.split('\n');
  const first = lines.findIndex((l) => !/^\s*(--.*)?$/.test(l));
  return first === -1 ? '' : lines.slice(first).join('\n').trim();
}
