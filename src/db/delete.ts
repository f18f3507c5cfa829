/**
 * The generic set-based delete. A helper for the queries of the folder that owns `table`, never
 * for writing another folder's table (issue #19): each folder wraps it in a named function.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from './schema.ts';

/** Deletes `table` rows whose `column` is one of `ids`; returns how many went. */
export async function deleteByIds(trx: Kysely<DB>, table: keyof DB, ids: number[], column = 'id') {
  if (!ids.length) return 0;
  const r = await sql`DELETE FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ANY(${ids}::bigint[])`.execute(trx);
  return Number(r.numAffectedRows ?? 0);
}
