import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import { type Database, openPglite, openPostgres } from '../src/db/index.ts';
import { createJobQueue } from '../src/job-queue/queue.ts';
import { loadMigrations, MIGRATIONS_DIR, migrateUp } from '../src/migrate/index.ts';
import { adminUrl, databaseUrl } from './pg-urls.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite: a dump of a migrated data directory; each test file loads it into memory. */
    pgliteTemplate: string;
    /** PostgreSQL: a migrated database each test file clones with CREATE DATABASE … TEMPLATE. */
    pgTemplate: string;
  }
}

/**
 * Migrating once and cloning per test file gives each file a fresh database in well under a
 * second, instead of replaying every migration every time.
 */
export default async function setup(project: TestProject) {
  const migrations = loadMigrations(MIGRATIONS_DIR);
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `qc_tpl_${process.pid}`;
    const admin = openPostgres(adminUrl(url), 1);
    const { sql } = await import('kysely');
    await sql.raw(`DROP DATABASE IF EXISTS ${name}`).execute(admin.db);
    await sql.raw(`CREATE DATABASE ${name}`).execute(admin.db);
    const tpl = openPostgres(databaseUrl(url, name), 1);
    await migrateUp(tpl.db, migrations);
    await installJobQueue(tpl);
    await tpl.close();
    project.provide('pgTemplate', name);
    project.provide('pgliteTemplate', '');
    return async () => {
      await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin.db);
      await admin.close();
    };
  }
  const d = await openPglite(undefined);
  await migrateUp(d.db, migrations);
  await installJobQueue(d);
  const dump = await (d.pglite as NonNullable<typeof d.pglite>).dumpDataDir('none');
  const file = join(tmpdir(), `qc-pglite-template-${process.pid}.tar`);
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await d.close();
  project.provide('pgliteTemplate', file);
  project.provide('pgTemplate', '');
}

/** pg-boss's schema and our queues, in the template: each test file's start() then only checks them. */
async function installJobQueue(d: Database): Promise<void> {
  const jobs = createJobQueue(d, pino({ level: 'silent' }));
  await jobs.start();
  await jobs.stop();
}
