/** The frame every table's `map` shares around its own rules. */
import { id, type Repair } from './convert.ts';
import type { Issue, LegacyRow, MapResult } from './types.ts';

/** A table's own mapping of one row: our row without its id, or the reason to reject the row. */
type RowBody = (rowId: number, repair: Repair, issues: Issue[]) => Record<string, unknown> | string;

/**
 * Every mapper rejects a row it has no id of ours for, counts each repair and issue the table's
 * rules report, and puts the id first in the row: in one place, so the import and `import verify`
 * (which calls the same `map`) can never frame a row differently from one table to the next.
 */
export function mapRow(rowId: number | null | undefined, noIdReason: string, body: RowBody): MapResult {
  if (!rowId) return { ok: false, reason: noIdReason };
  const repairs: string[] = [];
  const issues: Issue[] = [];
  const row = body(rowId, (x) => repairs.push(x), issues);
  return typeof row === 'string' ? { ok: false, reason: row } : { ok: true, row: { id: rowId, ...row }, repairs, issues };
}

/** `mapRow` for the tables keyed by the legacy id itself (all Xano tables). */
export const mapByLegacyId = (r: LegacyRow, body: RowBody): MapResult => mapRow(id(r.id), 'no id', body);
