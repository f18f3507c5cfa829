import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { adminUrl, databaseUrl } from '../pg-urls.ts';

/**
 * Chaos tests that need PostgreSQL use TEST_DATABASE_URL, or in CI (CI=true) the local server
 * `.ci/run` starts; elsewhere they are skipped (with this reason).
 */
export const CHAOS_PG_URL = process.env.TEST_DATABASE_URL || (process.env.CI ? 'postgres://root@127.0.0.1:5432/test' : null);
export const NO_PG_REASON = 'needs PostgreSQL: set TEST_DATABASE_URL (CI uses the local server)';

/** A new, empty database on that server (the server under test migrates it on start). */
export async function scratchDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const base = CHAOS_PG_URL as string;
  const name = `qc_chaos_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return { url: databaseUrl(base, name), name, drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => {}) };
}

export async function adminQuery(text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: adminUrl(CHAOS_PG_URL as string) });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** Ends every server connection to the database, as a failover or a PgBouncer restart would. */
export async function terminateBackends(dbName: string): Promise<number> {
  const r = await adminQuery(
    'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [dbName],
  );
  return r.rows[0].n as number;
}
