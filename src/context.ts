import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database, Db } from './db/index.ts';

/**
 * Everything a route, service or job needs, built once at start-up. The only place where
 * adapters (storage, payments, mail…) are chosen; tests build it with the local defaults.
 */
export interface AppContext {
  config: Config;
  db: Db;
  database: Database;
  log: Logger;
  /** The clock: inject a fixed one in tests instead of faking timers. */
  now: () => Date;
}

export function createContext(config: Config, database: Database, log: Logger, now: () => Date = () => new Date()): AppContext {
  return { config, db: database.db, database, log, now };
}
