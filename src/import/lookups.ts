import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { id } from './convert.ts';
import type { LegacyRow } from './types.ts';

/** The ids of `table` among `ids` that exist in our database. */
export async function existing(db: Db, table: string, ids: (number | null)[]): Promise<Set<number>> {
  const want = [...new Set(ids.filter((v): v is number => v !== null))];
  if (!want.length) return new Set();
  const { rows } = await sql<{ id: number }>`SELECT id FROM ${sql.table(table)} WHERE id = ANY(${want}::bigint[])`.execute(db);
  return new Set(rows.map((r) => Number(r.id)));
}

export const ids = (rows: LegacyRow[], col: string) => rows.map((r) => id(r[col]));

/**
 * For a key that must be unique (an e-mail, a payment intent), the lowest id that holds it among
 * our rows and this page: a row whose key is owned by another id is a duplicate. Lowest id wins,
 * so the import and a later verify decide alike.
 */
export function owners(
  dbPairs: { key: string; id: number }[],
  pagePairs: { key: string | null; id: number | null }[],
): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of [...dbPairs, ...pagePairs]) {
    if (p.key === null || p.id === null) continue;
    const cur = m.get(p.key);
    if (cur === undefined || p.id < cur) m.set(p.key, p.id);
  }
  return m;
}
