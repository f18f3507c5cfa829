import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../test/db.ts';
import type { Database } from './database.ts';
import { detectDrift, driftGuard, readDriftLog } from './drift.ts';
import { loadMigrations, MIGRATIONS_DIR, migrateUp } from './index.ts';

describe('migrate drift', () => {
  let d: Database;
  const migrations = loadMigrations(MIGRATIONS_DIR);
  beforeAll(async () => {
    d = await freshDatabase();
  });
  afterAll(() => d.close());

  it('finds no drift on a database the history built, whatever other schemas (pg-boss, the engine) hold', async () => {
    await sql`CREATE SCHEMA IF NOT EXISTS pgboss`.execute(d.db);
    await sql`CREATE TABLE IF NOT EXISTS pgboss.job (id text PRIMARY KEY)`.execute(d.db);
    const r = await detectDrift(d.db, migrations);
    expect(r.items).toEqual([]);
    expect(r.applied).toBe(migrations.length);
    expect(r.actual).toBe(r.expected);
  }, 60_000);

  it('reports each hand edit with the SQL that reconciles it, blocks up, and lets --allow-drift through with a record', async () => {
    await sql`ALTER TABLE question ADD COLUMN hand_note text`.execute(d.db);
    await sql`ALTER TABLE answer ALTER COLUMN view_count SET DEFAULT 7`.execute(d.db);
    await sql`DROP INDEX file_deletion_outbox_pending_idx`.execute(d.db);
    await sql`CREATE TABLE hand_made (id int)`.execute(d.db);
    const r = await detectDrift(d.db, migrations);
    const byKey = Object.fromEntries(r.items.map((i) => [`${i.kind} ${i.key}`, i]));
    expect(Object.keys(byKey).sort()).toEqual([
      'column answer.view_count',
      'column question.hand_note',
      'index file_deletion_outbox_pending_idx',
      'table hand_made',
    ]);
    expect(byKey['column question.hand_note']).toMatchObject({ change: 'extra', sql: ['ALTER TABLE "question" DROP COLUMN "hand_note";'] });
    expect(byKey['column answer.view_count']).toMatchObject({
      change: 'changed',
      sql: ['ALTER TABLE "answer" ALTER COLUMN "view_count" SET DEFAULT 0;'],
    });
    expect(byKey['index file_deletion_outbox_pending_idx']?.change).toBe('missing');
    expect(byKey['table hand_made']).toMatchObject({ change: 'extra', sql: ['DROP TABLE "hand_made";'] });

    await expect(migrateUp(d.db, migrations, { guard: driftGuard(migrations, false, 'test') })).rejects.toThrow(
      /The live schema differs from what the \d+ applied migrations build \(4 differences: .*column question\.hand_note extra.*\): nothing was applied\..*\n.*column question\.hand_note: not in the history/s,
    );
    expect(await readDriftLog(d.db)).toEqual([]);
    await migrateUp(d.db, migrations, { guard: driftGuard(migrations, true, 'tester') });
    const log = await readDriftLog(d.db);
    expect(log).toHaveLength(1);
    expect(log[0]?.allowed_by).toBe('tester');
    expect(log[0]?.items.map((i) => i.key)).toContain('question.hand_note');

    // The printed SQL is what makes the database match again.
    for (const i of r.items) for (const s of i.sql) await sql.raw(s).execute(d.db);
    expect((await detectDrift(d.db, migrations)).items).toEqual([]);
  }, 120_000);
});
