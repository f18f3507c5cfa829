import { type Kysely, sql } from 'kysely';
import type { DataCheck } from './checks-file.ts';
import { MigrationError } from './errors.ts';
import type { Step } from './steps.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

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
