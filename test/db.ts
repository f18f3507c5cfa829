import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { type Database, openPglite, openPostgres } from '../src/db/index.ts';
import { adminUrl, databaseUrl } from './pg-urls.ts';

/**
 * A fresh, fully migrated database for one test file: PGlite in memory by default, a new
 * PostgreSQL database cloned from the migrated template when TEST_DATABASE_URL is set.
 */
export async function freshDatabase(): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `qc_t_${randomBytes(6).toString('hex')}`;
    const admin = openPostgres(adminUrl(url), 1);
    await sql.raw(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`).execute(admin.db);
    const d = openPostgres(databaseUrl(url, name));
    return {
      ...d,
      async close() {
        await d.close();
        await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin.db);
        await admin.close();
      },
    };
  }
  const blob = new Blob([readFileSync(inject('pgliteTemplate'))]);
  return openPglite(undefined, blob);
}

/** An empty database (no migrations), for tests of the migration engine itself. */
export async function emptyDatabase(): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `qc_e_${randomBytes(6).toString('hex')}`;
    const admin = openPostgres(adminUrl(url), 1);
    await sql.raw(`CREATE DATABASE ${name}`).execute(admin.db);
    const d = openPostgres(databaseUrl(url, name));
    return {
      ...d,
      async close() {
        await d.close();
        await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin.db);
        await admin.close();
      },
    };
  }
  return openPglite(undefined);
}

/** A second connection pool to the same PostgreSQL database, for race tests; null on PGlite. */
export function isPostgres(): boolean {
  return Boolean(process.env.TEST_DATABASE_URL);
}
