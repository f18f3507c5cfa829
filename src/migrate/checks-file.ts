/** `checks.yaml` of a migration folder, read when the migrations are loaded (checks.ts runs them). */
import { parse as parseYaml } from 'yaml';
import { MigrationError } from './errors.ts';

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
