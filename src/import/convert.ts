/** Value conversions shared by the mappers; each reports through `repair` when it changed a value. */

export type Repair = (reason: string) => void;

/** Xano timestamps are epoch milliseconds; CSV exports may carry ISO text. 0 and '' mean "unset". */
export function ts(v: unknown): string | null {
  if (v === null || v === undefined || v === '' || v === 0 || v === '0') return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  const n = typeof v === 'number' ? v : /^\d+$/.test(String(v)) ? Number(v) : Number.NaN;
  const d = Number.isFinite(n) ? new Date(n) : new Date(String(v));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** created_at and updated_at of a row that has both: a row never updated keeps its creation time. */
export function stamps(r: { created_at?: unknown; updated_at?: unknown }) {
  return { created_at: ts(r.created_at), updated_at: ts(r.updated_at) ?? ts(r.created_at) };
}

export function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function int(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isInteger(n) ? n : null;
}

export function bool(v: unknown, fallback: boolean): boolean {
  if (v === true || v === 'true' || v === 1 || v === '1') return true;
  if (v === false || v === 'false' || v === 0 || v === '0') return false;
  return fallback;
}

/** A JSON value that the legacy side may have kept as text; unparseable text → null, reported. */
export function json(v: unknown, what: string, repair: Repair): unknown {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v !== 'string') return v;
  try {
    const parsed = JSON.parse(v) as unknown;
    repair(`${what}: JSON text parsed`);
    return parsed;
  } catch {
    repair(`${what}: unparseable JSON text dropped`);
    return null;
  }
}

/** Prefers our column name, falls back to the legacy one (counted as a repair). */
export function pick(row: Record<string, unknown>, ours: string, legacy: string, repair: Repair): unknown {
  const v = row[ours];
  if (v !== undefined && v !== null && v !== '') return v;
  const old = row[legacy];
  if (old !== undefined && old !== null && old !== '') {
    repair(`legacy column ${legacy} → ${ours}`);
    return old;
  }
  return v ?? null;
}

export function id(v: unknown): number | null {
  const n = int(v);
  return n !== null && n > 0 ? n : null;
}
