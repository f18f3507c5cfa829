import { parse as parseYaml } from 'yaml';
import { MigrationError } from './errors.ts';
import { parseSqlFile, quoteIdent } from './parse.ts';

/**
 * A batched data change declared in `backfill.yaml`: the engine updates `table` in keyset batches
 * of `key`, each batch its own short transaction, setting `set` on the rows that match `where`.
 * `where` must stop matching a row once it is done: that is what makes a re-run change nothing.
 */
export interface BackfillSpec {
  table: string;
  key: string;
  set: string;
  /** Optional FROM list joined to the table (UPDATE … FROM): a join is often cheaper than correlated subqueries. */
  from: string | null;
  where: string;
  /** Rows per batch to start with; the engine adapts it to keep each batch short. */
  batchSize: number;
  /** Run before up.sql's statements (e.g. to fill a column that a later VALIDATE checks) or after them. */
  run: 'before' | 'after';
}

const IDENT = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

export function parseBackfillFile(text: string, file: string): BackfillSpec[] {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new MigrationError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  const list = Array.isArray(data) ? data : [data];
  return list.map((raw, i) => checkSpec(raw as Record<string, unknown>, `${file} item ${i + 1}`));
}

function checkSpec(raw: Record<string, unknown>, where: string): BackfillSpec {
  const str = (k: string, fallback?: string): string => {
    const v = raw[k] ?? fallback;
    if (typeof v !== 'string' || !v.trim()) throw new MigrationError(`${where}: "${k}" is required (text)`);
    return v.trim();
  };
  const spec: BackfillSpec = {
    table: str('table'),
    key: str('key', 'id'),
    set: str('set'),
    from: raw.from === undefined || raw.from === null ? null : str('from'),
    where: str('where'),
    batchSize: Number(raw.batch_size ?? 1000),
    run: (raw.run ?? 'after') as BackfillSpec['run'],
  };
  for (const k of ['table', 'key'] as const) {
    if (!IDENT.test(spec[k])) throw new MigrationError(`${where}: "${k}" must be a plain lower-case name, got "${spec[k]}"`);
  }
  if (!Number.isInteger(spec.batchSize) || spec.batchSize < 1 || spec.batchSize > 1_000_000) {
    throw new MigrationError(`${where}: batch_size must be a whole number from 1 to 1000000`);
  }
  if (spec.run !== 'before' && spec.run !== 'after') throw new MigrationError(`${where}: run must be "before" or "after"`);
  // The pieces are spliced into the engine's UPDATE: they must make exactly one UPDATE of the table.
  const stmts = parseSqlFile(probeUpdate(spec), where);
  if (stmts.length !== 1 || stmts[0]?.type !== 'UpdateStmt') {
    throw new MigrationError(`${where}: "set" and "where" must be one SET list and one condition of a single UPDATE`);
  }
  return spec;
}

/** The single UPDATE a backfill amounts to (what a raw, unbatched run would execute). */
function probeUpdate(spec: BackfillSpec): string {
  return `UPDATE ${quoteIdent(spec.table)} SET ${spec.set}${spec.from ? ` FROM ${spec.from}` : ''} WHERE ${spec.where}`;
}
