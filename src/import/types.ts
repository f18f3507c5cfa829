import type { Db } from '../db/index.ts';

/** A row as the legacy source gives it: Xano JSON, a CSV record, or an admin-database row. */
export type LegacyRow = Record<string, unknown>;

export type ColumnKind = 'int' | 'text' | 'bool' | 'ts' | 'json' | 'num';

/** What one legacy row becomes: a row of ours (with the repairs made) or a rejection. */
export type MapResult = { ok: true; row: Record<string, unknown>; repairs: string[]; issues: Issue[] } | { ok: false; reason: string };

/** Something to report about an imported row (a dangling reference dropped, a handle changed). */
export interface Issue {
  kind: string;
  detail: string;
}

/**
 * One legacy table and how it lands in ours. `prepare` reads, for a page, what the mapping needs
 * from our database (parents that exist, handles taken by lower ids); `map` is then pure, so the
 * import and `import verify` map a row the same way.
 */
export interface TableSpec<L = unknown> {
  /** The legacy name (Xano table, CSV file stem). */
  legacy: string;
  /** Our table. */
  target: string;
  columns: Record<string, ColumnKind>;
  /** Our table's unique key, the upsert's conflict target: `['id']` unless the table has no id (a link table). */
  key?: string[];
  /** Legacy columns whose times mark a change, for --since (searched with $or). */
  changeColumns: string[];
  prepare(db: Db, rows: LegacyRow[], source: string): Promise<L>;
  /**
   * `prepare` reads only other tables (parents imported before), never rows of this table: the
   * next page can then be prepared and mapped while the previous one is written.
   */
  pagesIndependent?: boolean;
  map(row: LegacyRow, lookup: L): MapResult;
  /** Extra writes for the accepted rows of a batch, in the batch's transaction. */
  afterBatch?(db: Db, rows: Record<string, unknown>[], source: string, legacy: LegacyRow[]): Promise<void>;
}

/** Legacy tables read but deliberately not imported, with the reason the report gives. */
export const NOT_IMPORTED: Record<string, string> = {
  magic_link_token: 'sign-in links and sessions are not imported: users sign in again (a new magic link or OAuth)',
  question_coaching_sessions: 'AI-coach sessions of the legacy prototype are not part of our schema',
  coaching_rate_limits: 'AI-coach rate limits are not part of our schema',
  feedback: 'the obsolete Xano feedback table; feedback lives in the admin database',
};
