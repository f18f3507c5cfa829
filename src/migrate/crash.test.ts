import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgres } from '../../test/db.ts';
import { adminUrl, databaseUrl } from '../../test/pg-urls.ts';
import { type Database, openPostgres } from './database.ts';
import { schemaFingerprint } from './fingerprint.ts';
import { loadMigrations, migrateDown, migrateUp, migrationStatus } from './index.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/engine', import.meta.url));
const CHILD = fileURLToPath(new URL('../../test/migrate-child.ts', import.meta.url));
const migrations = loadMigrations(FIXTURE);

/** Runs the child runner; resolves with the signal that ended it (or null) and what it printed. */
function runChild(url: string, direction: 'up' | 'down', to: string, killAt: number): Promise<{ signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, url, FIXTURE, direction, to, String(killAt)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
    });
    child.stderr.on('data', (b) => {
      out += b;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      signal || code === 0 ? resolve({ signal, out }) : reject(new Error(`child exited ${code}: ${out}`)),
    );
  });
}

// Killing a real runner process needs a database server other processes can reach: PostgreSQL only.
describe.runIf(isPostgres())('a runner killed at every step boundary (PostgreSQL)', () => {
  const url = process.env.TEST_DATABASE_URL as string;
  let admin: Database;
  const made: string[] = [];
  const seeded = `qc_crash_${randomBytes(4).toString('hex')}`;
  const atHead = `${seeded}_head`;
  let base: { fp: string; rows: unknown[] };
  let head: { fp: string; rows: unknown[] };

  /** A copy of `template` for one run, dropped afterwards. */
  async function withClone(template: string, fn: (name: string, d: Database) => Promise<void>): Promise<void> {
    const name = `${seeded}_${made.length}`;
    made.push(name);
    await sql.raw(`CREATE DATABASE ${name} TEMPLATE ${template}`).execute(admin.db);
    const d = openPostgres(databaseUrl(url, name), 2);
    try {
      await fn(name, d);
    } finally {
      await d.close();
      await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin.db);
    }
  }
  async function state(d: Database, columns: string) {
    const rows = (await sql.raw(`SELECT ${columns} FROM item ORDER BY id`).execute(d.db)).rows;
    return { fp: (await schemaFingerprint(d.db)).hash, rows };
  }
  async function expectBase(d: Database) {
    expect(await state(d, 'id, owner, label, score')).toEqual(base);
    expect((await migrationStatus(d.db, migrations)).map((s) => s.state)).toEqual(['applied', 'pending', 'pending']);
  }
  async function expectHead(d: Database) {
    expect(await state(d, 'id, label, label_upper, score')).toEqual(head);
    expect((await migrationStatus(d.db, migrations)).every((s) => s.state === 'applied')).toBe(true);
    const invalid = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_index WHERE NOT indisvalid`.execute(d.db);
    expect(invalid.rows[0]?.n).toBe(0);
  }

  beforeAll(async () => {
    admin = openPostgres(adminUrl(url), 1);
    await sql.raw(`CREATE DATABASE ${seeded}`).execute(admin.db);
    await sql.raw(`CREATE DATABASE ${atHead}`).execute(admin.db);
    for (const name of [seeded, atHead]) {
      const d = openPostgres(databaseUrl(url, name), 1);
      await migrateUp(d.db, migrations, { to: 1 });
      await sql`INSERT INTO item (owner, label, score) SELECT 'o' || g, CASE WHEN g % 10 <> 0 THEN 'l' || g END, g % 5 FROM generate_series(1, 350) g`.execute(
        d.db,
      );
      if (name === seeded) base = await state(d, 'id, owner, label, score');
      else {
        await migrateUp(d.db, migrations);
        head = await state(d, 'id, label, label_upper, score');
      }
      await d.close();
    }
  });
  afterAll(async () => {
    for (const name of [seeded, atHead]) await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin.db);
    await admin.close();
  });

  async function boundaries(template: string, direction: 'up' | 'down', to: string): Promise<number> {
    let n = 0;
    await withClone(template, async (name) => {
      const { out } = await runChild(databaseUrl(url, name), direction, to, 0);
      n = Number(/BOUNDARIES (\d+)/.exec(out)?.[1]);
    });
    return n;
  }

  it('up: status names the step it stopped at; up finishes it, or down undoes it, with no manual SQL', async () => {
    const n = await boundaries(seeded, 'up', '');
    expect(n).toBeGreaterThanOrEqual(12);
    let partials = 0;
    for (let k = 1; k <= n; k++) {
      for (const recover of ['up', 'down'] as const) {
        await withClone(seeded, async (name, d) => {
          const { signal } = await runChild(databaseUrl(url, name), 'up', '', k);
          expect(signal, `kill at boundary ${k}`).toBe('SIGKILL');
          const status = await migrationStatus(d.db, migrations);
          const partial = status.find((s) => s.state === 'partial');
          if (partial) {
            partials++;
            expect(partial.stoppedAt?.direction).toBe('up');
            expect(partial.stoppedAt?.next).toMatch(/step \d+ of \d+|interrupted/);
          }
          if (recover === 'up') {
            await migrateUp(d.db, migrations);
            await expectHead(d);
            await migrateDown(d.db, migrations, { to: 1 });
          } else {
            await migrateDown(d.db, migrations, { to: 1 });
          }
          await expectBase(d);
        });
      }
    }
    expect(partials).toBeGreaterThan(0);
  }, 600_000);

  it('down: down finishes the rollback, or up re-applies, with no manual SQL', async () => {
    const n = await boundaries(atHead, 'down', '1');
    expect(n).toBeGreaterThanOrEqual(6);
    for (let k = 1; k <= n; k++) {
      for (const recover of ['down', 'up'] as const) {
        await withClone(atHead, async (name, d) => {
          const { signal } = await runChild(databaseUrl(url, name), 'down', '1', k);
          expect(signal, `kill at boundary ${k}`).toBe('SIGKILL');
          if (recover === 'down') {
            await migrateDown(d.db, migrations, { to: 1 });
            await expectBase(d);
          } else {
            await migrateUp(d.db, migrations);
            await expectHead(d);
          }
        });
      }
    }
  }, 600_000);

  it('20 concurrent runners apply each migration, backfill and backup exactly once', async () => {
    await withClone(seeded, async (name, d) => {
      const runners = Array.from({ length: 20 }, () => openPostgres(databaseUrl(url, name), 1));
      try {
        const results = await Promise.all(runners.map((r) => migrateUp(r.db, migrations)));
        expect(results.flatMap((r) => r.applied).sort()).toEqual(['0002_expand_backfill', '0003_contract']);
        await expectHead(d);
        const backfilled = await sql<{ n: number }>`SELECT sum(rows_backfilled)::int AS n FROM schema_migrations`.execute(d.db);
        expect(backfilled.rows[0]?.n).toBe(315);
        const backups = await sql<{ n: number }>`SELECT count(*)::int AS n FROM migration_backup.backups`.execute(d.db);
        expect(backups.rows[0]?.n).toBe(1);
      } finally {
        await Promise.all(runners.map((r) => r.close()));
      }
    });
  });
});
