/**
 * Writes one batch of mapped rows: an upsert on the legacy id that touches a row only when a
 * mapped field differs (IS DISTINCT FROM), so re-importing unchanged data writes nothing.
 * A batch that violates a constraint is retried row by row under savepoints; the rows that still
 * fail are returned with the database's message, to be rejected rather than lost.
 */
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { TableSpec } from './types.ts';

export interface WriteResult {
  inserted: number;
  updated: number;
  failed: { row: Record<string, unknown>; reason: string }[];
}

/** The columns that identify a row of the spec's table. */
export const keyOf = (spec: Pick<TableSpec<unknown>, 'key'>) => spec.key ?? ['id'];

function upsertQuery(spec: TableSpec<unknown>, rows: Record<string, unknown>[]) {
  const cols = Object.keys(spec.columns);
  const key = keyOf(spec);
  const t = sql.table(spec.target);
  const list = sql.join(cols.map((c) => sql.ref(c)));
  const set = sql.join(cols.filter((c) => !key.includes(c)).map((c) => sql`${sql.ref(c)} = EXCLUDED.${sql.ref(c)}`));
  const mine = sql.join(cols.map((c) => sql.ref(`${spec.target}.${c}`)));
  const theirs = sql.join(cols.map((c) => sql`EXCLUDED.${sql.ref(c)}`));
  return sql<{ inserted: boolean }>`
    INSERT INTO ${t} (${list})
    SELECT ${list} FROM json_populate_recordset(NULL::${t}, ${JSON.stringify(rows)}::json)
    ON CONFLICT (${sql.join(key.map((c) => sql.ref(c)))}) DO UPDATE SET ${set} WHERE (${mine}) IS DISTINCT FROM (${theirs})
    RETURNING (xmax = 0) AS inserted`;
}

export async function writeRows(trx: Db, spec: TableSpec<unknown>, rows: Record<string, unknown>[]): Promise<WriteResult> {
  const result: WriteResult = { inserted: 0, updated: 0, failed: [] };
  if (!rows.length) return result;
  const count = (returned: { inserted: boolean }[]) => {
    for (const r of returned) r.inserted ? result.inserted++ : result.updated++;
  };
  await sql`SAVEPOINT import_batch`.execute(trx);
  try {
    count((await upsertQuery(spec, rows).execute(trx)).rows);
    await sql`RELEASE SAVEPOINT import_batch`.execute(trx);
    return result;
  } catch {
    await sql`ROLLBACK TO SAVEPOINT import_batch`.execute(trx);
  }
  for (const row of rows) {
    await sql`SAVEPOINT import_row`.execute(trx);
    try {
      count((await upsertQuery(spec, [row]).execute(trx)).rows);
      await sql`RELEASE SAVEPOINT import_row`.execute(trx);
    } catch (err) {
      await sql`ROLLBACK TO SAVEPOINT import_row`.execute(trx);
      result.failed.push({ row, reason: `database refused the row: ${(err as Error).message.split('\n')[0]}` });
    }
  }
  return result;
}

/** Moves the table's id sequence past the imported legacy ids, so new rows never collide. */
export async function moveSequence(db: Db, spec: Pick<TableSpec<unknown>, 'target' | 'columns'>): Promise<void> {
  if (!('id' in spec.columns)) return;
  const table = spec.target;
  const seq = `"${table}"`;
  await sql`SELECT setval(pg_get_serial_sequence(${seq}, 'id'), GREATEST(m, nextval(pg_get_serial_sequence(${seq}, 'id'))))
    FROM (SELECT max(id) AS m FROM ${sql.table(table)}) x WHERE m IS NOT NULL`.execute(db);
}
