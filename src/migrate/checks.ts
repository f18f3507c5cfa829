import { type Kysely, sql } from 'kysely';
import { parse as parseYaml } from 'yaml';
import { MigrationError } from './errors.ts';
import type { Step } from './steps.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

/**
 * A data check declared in `checks.yaml`: a query that lists offending rows, run on the real data
 * at one point of the migration. It fails when the row count is not `rows` (0 unless declared).
 *   before          before the first step (a precondition)
 *   after-backfill  once the last backfill step is done, before the step after it
 *   before-contract before the first step that destroys data (drops a column or table)
 *   after           in the last step's transaction, before the migration is recorded applied
 */
export interface DataCheck {
  name: string;
  when: 'before' | 'after-backfill' | 'before-contract' | 'after';
  sql: string;
  rows: number;
}

const WHEN = new Set(['before', 'after-backfill', 'before-contract', 'after']);

export function parseChecksFile(text: string, file: string): DataCheck[] {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new MigrationError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new MigrationError(`${file}: a list of {name, when, sql, rows?}`);
  return data.map((raw: Record<string, unknown>, i) => {
    const where = `${file} item ${i + 1}`;
    if (typeof raw?.name !== 'string' || !raw.name.trim()) throw new MigrationError(`${where}: "name" is required`);
    if (typeof raw.sql !== 'string' || !/^\s*(select|with)\b/i.test(raw.sql)) throw new MigrationError(`${where}: "sql" must be a SELECT`);
    const when = raw.when ?? 'after';
    if (typeof when !== 'string' || !WHEN.has(when)) throw new MigrationError(`${where}: "when" must be one of ${[...WHEN].join(', ')}`);
    const rows = Number(raw.rows ?? 0);
    if (!Number.isInteger(rows) || rows < 0) throw new MigrationError(`${where}: "rows" must be a whole number`);
    return { name: raw.name.trim(), when: when as DataCheck['when'], sql: raw.sql.trim(), rows };
  });
}

/** Before which step (0-based; steps.length = in the last transaction) each check runs. */
export function checkPoints(steps: Step[], checks: DataCheck[]): Map<number, DataCheck[]> {
  const lastBackfill = steps.map((s) => s.kind).lastIndexOf('backfill');
  const destroying = steps.findIndex((s) => s.statements.some((st) => st.info.destroys.length > 0));
  const at = (c: DataCheck): number => {
    if (c.when === 'before') return 0;
    if (c.when === 'after') return steps.length;
    if (c.when === 'after-backfill') return lastBackfill + 1;
    return destroying >= 0 ? destroying : Math.max(0, steps.length - 1);
  };
  const out = new Map<number, DataCheck[]>();
  for (const c of checks) out.set(at(c), [...(out.get(at(c)) ?? []), c]);
  return out;
}

const SHOWN = 10;

/** Runs the checks; the first that fails stops the migration with the offending rows' keys. */
export async function runChecks(db: AnyDb, name: string, checks: DataCheck[], where: string): Promise<void> {
  for (const c of checks) {
    const r = await sql.raw<Record<string, unknown>>(`SELECT * FROM (${c.sql}) __check LIMIT ${c.rows + SHOWN + 1}`).execute(db);
    const n = r.rows.length;
    if (n === c.rows) continue;
    const many = n > c.rows + SHOWN;
    const keys = r.rows.slice(0, SHOWN).map((row) => JSON.stringify(row));
    throw new MigrationError(
      `${name}: data check "${c.name}" (${c.when}) failed: expected ${c.rows} row${c.rows === 1 ? '' : 's'}, got ${many ? `more than ${c.rows + SHOWN}` : n}` +
        `${keys.length ? `; offending rows: ${keys.join(', ')}` : ''}. The database is as ${where} left it: fix the data, then run migrate up again.`,
    );
  }
}
