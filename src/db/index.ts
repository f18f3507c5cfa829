import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createHealthTracker, type HealthTracker, resilientPool } from './connection-loss.ts';
import type { DB } from './schema.ts';

export type Db = Kysely<DB>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** The embedded instance, when there is one (pg-boss and LISTEN need it directly). */
  pglite: PGlite | null;
  /** The PostgreSQL URL, for clients that open their own pool (pg-boss); null on PGlite. */
  connectionString: string | null;
  /** Lost connections and recoveries (PostgreSQL), for /health; PGlite is always up. */
  health: HealthTracker;
  close(): Promise<void>;
}

/**
 * Ids are bigint identity columns; JavaScript numbers hold them exactly up to 2^53, far beyond
 * any row count here, and the legacy client needs integer ids (it calls parseInt on them).
 */
const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (v: string) => Number(v);

function wrapPglite(pglite: PGlite): Database {
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
  return { db, kind: 'pglite', pglite, connectionString: null, health: createHealthTracker(), close: () => db.destroy() };
}

export async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Database> {
  const pglite = await PGlite.create(dataDir, {
    parsers: { [INT8]: toNumber, [NUMERIC]: toNumber },
    ...(loadDataDir ? { loadDataDir } : {}),
  });
  return wrapPglite(pglite);
}

export function openPostgres(connectionString: string, max = 10): Database {
  const pool = new pg.Pool({
    connectionString,
    max,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 || oid === NUMERIC ? toNumber : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  const health = createHealthTracker();
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: resilientPool(pool, health) }) });
  return { db, kind: 'postgres', pglite: null, connectionString, health, close: () => db.destroy() };
}

export async function openDb(config: { databaseUrl: string | null; dataDir: string }): Promise<Database> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  return openPglite(`${config.dataDir}/pglite`);
}
