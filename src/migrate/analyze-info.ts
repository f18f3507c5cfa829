/**
 * What the analysis says of a statement (locks, rewrites, destruction) and the lock modes it is
 * told in. Shared by analyze.ts and analyze-alter.ts, which would otherwise import each other.
 */

/** PostgreSQL's table lock modes, weakest first. */
export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

const strongest = (a: LockMode, b: LockMode): LockMode => (LOCK_MODES.indexOf(a) >= LOCK_MODES.indexOf(b) ? a : b);
/** Modes that stop the application's INSERT/UPDATE/DELETE while held. */
export const blocksWrites = (m: LockMode): boolean => LOCK_MODES.indexOf(m) >= LOCK_MODES.indexOf('SHARE');

export interface TableLock {
  table: string;
  mode: LockMode;
}

/** Data a statement destroys, which the engine copies into `migration_backup` first. */
export interface Destruction {
  table: string;
  /** `table`: the whole table; `columns`: primary key + the columns; `rows`: the rows `where` selects (all when absent). */
  kind: 'table' | 'columns' | 'rows';
  columns?: string[];
  where?: string;
  /** The table's alias in the statement, which `where` may use. */
  alias?: string;
}

export interface StatementInfo {
  /** `ALTER TABLE`, `CREATE INDEX`, … */
  kind: string;
  /** Locks on tables named in the statement, strongest per table. */
  locks: TableLock[];
  /** DROP INDEX: the lock falls on the index's table, found in the catalog when it runs. */
  dropsIndexes: string[];
  rewrites: boolean;
  scans: boolean;
  /** False for statements PostgreSQL refuses inside a transaction block (… CONCURRENTLY, VACUUM). */
  transactional: boolean;
  createsTables: string[];
  createsIndex: { name: string; table: string; concurrent: boolean; unique: boolean } | null;
  destroys: Destruction[];
  /** Data loss the engine cannot back up (DROP SCHEMA, TRUNCATE … CASCADE, DELETE … USING). */
  unbackedDestruction: string | null;
  /** Constraints added NOT VALID / validated: the engine validates in a transaction of its own. */
  addsNotValid: string[];
  validates: string[];
  /** The parser understood the statement but the engine cannot say which locks it takes. */
  unknown: boolean;
}

export function emptyInfo(kind: string): StatementInfo {
  return {
    kind,
    locks: [],
    dropsIndexes: [],
    rewrites: false,
    scans: false,
    transactional: true,
    createsTables: [],
    createsIndex: null,
    destroys: [],
    unbackedDestruction: null,
    addsNotValid: [],
    validates: [],
    unknown: false,
  };
}

export function addLock(info: StatementInfo, table: string, mode: LockMode): void {
  const have = info.locks.find((l) => l.table === table);
  if (have) have.mode = strongest(have.mode, mode);
  else info.locks.push({ table, mode });
}
