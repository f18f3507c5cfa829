import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyDatabase } from '../../test/db.ts';
import type { Database } from './database.ts';
import { readHistory } from './history.ts';
import { loadMigrations, MIGRATIONS_DIR, migrateUp, migrationStatus } from './index.ts';
import { fileHash } from './load.ts';

describe('data checks (checks.yaml)', () => {
  let d: Database;
  let dir: string;
  beforeEach(async () => {
    d = await emptyDatabase();
    dir = mkdtempSync(join(tmpdir(), 'qc-checks-'));
  });
  afterEach(async () => {
    await d.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are not part of the hash: a database migrated before the checks existed still reports clean', async () => {
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    for (const n of ['0005_media_asset_fk_backfill', '0007_media_asset_fk_contract', '0008_account_deletion'])
      rmSync(join(dir, n, 'checks.yaml'));
    const old = loadMigrations(dir);
    await migrateUp(d.db, old, { to: 8 });
    const current = loadMigrations(MIGRATIONS_DIR);
    const m5 = current.find((m) => m.id === 5);
    expect(m5?.checks.map((c) => c.when)).toEqual(['after-backfill', 'after-backfill']);
    const f = (n: string) => readFileSync(join(m5?.dir as string, n), 'utf8');
    expect(m5?.hash).toBe(fileHash(f('up.sql'), f('down.sql'), f('backfill.yaml')));
    const status = await migrationStatus(d.db, current);
    expect(status.filter((s) => s.id <= 8).map((s) => s.state)).toEqual(Array(8).fill('applied'));
  });

  it('stop the media FK backfill when an owner link was lost, naming the row, at the last completed step; up resumes once fixed', async () => {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    await migrateUp(d.db, migrations, { to: 4 });
    await sql`INSERT INTO "user" (email, auth_provider) VALUES ('e@example.com', 'magic_link')`.execute(d.db);
    await sql`INSERT INTO expert_profile (user_id, handle) VALUES (1, 'e')`.execute(d.db);
    await sql`INSERT INTO question (expert_profile_id, payer_email, title, price_cents, status)
      SELECT 1, 'a' || g || '@example.com', 'q' || g, 100, 'paid' FROM generate_series(1, 3) g`.execute(d.db);
    await sql`INSERT INTO media_asset (owner_type, owner_id, provider, asset_id, status)
      SELECT 'question', id, 'cloudflare_stream', 'v' || id, 'ready' FROM question`.execute(d.db);
    // Something else (an old app version, a trigger) undoes the link of question 2 while the backfill runs.
    await sql
      .raw(`CREATE FUNCTION lose_link() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = 2 THEN NEW.media_asset_id := NULL; END IF; RETURN NEW; END $$`)
      .execute(d.db);
    await sql`CREATE TRIGGER lose_link BEFORE UPDATE ON question FOR EACH ROW EXECUTE FUNCTION lose_link()`.execute(d.db);
    await expect(migrateUp(d.db, migrations, { to: 5 })).rejects.toThrow(
      /0005_media_asset_fk_backfill: data check "every question owning media has media_asset_id" \(after-backfill\) failed: expected 0 rows, got 1; offending rows: \{"question_id":"?2"?\}\. The database is as step 2 of 3 left it/,
    );
    const s5 = (await migrationStatus(d.db, migrations)).find((s) => s.id === 5);
    expect(s5).toMatchObject({ state: 'partial', stoppedAt: { direction: 'up', stepsDone: 2, steps: 3 } });
    expect((await readHistory(d.db)).map((h) => h.id)).toEqual([1, 2, 3, 4]);
    await sql`DROP TRIGGER lose_link ON question`.execute(d.db);
    await sql`UPDATE question SET media_asset_id = (SELECT id FROM media_asset WHERE owner_id = 2) WHERE id = 2`.execute(d.db);
    await migrateUp(d.db, migrations, { to: 6 });
    expect((await readHistory(d.db)).map((h) => h.id)).toEqual([1, 2, 3, 4, 5, 6]);

    // Before the contract: a link that exists only in the owner columns stops the drop.
    await sql`INSERT INTO question (expert_profile_id, payer_email, title, price_cents, status) VALUES (1, 'x@example.com', 'late', 100, 'paid')`.execute(
      d.db,
    );
    await sql`INSERT INTO media_asset (owner_type, owner_id, provider, asset_id, status) VALUES ('question', 4, 'cloudflare_stream', 'late', 'ready')`.execute(
      d.db,
    );
    await expect(migrateUp(d.db, migrations, { to: 7 })).rejects.toThrow(
      /data check "no owner link is lost when owner_type\/owner_id are dropped" \(before-contract\) failed: expected 0 rows, got 1; offending rows: \{"media_asset_id":"?4"?,"owner_type":"question","owner_id":"?4"?\}/,
    );
    const cols = await sql<{
      c: string;
    }>`SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'media_asset' AND column_name = 'owner_id'`.execute(d.db);
    expect(cols.rows).toHaveLength(1);
  }, 120_000);

  it('run "after" in the last transaction: a failure rolls that step back; an expected count passes', async () => {
    const m = join(dir, '0001_a');
    mkdirSync(m);
    writeFileSync(join(m, 'up.sql'), 'CREATE TABLE a (id int);\nINSERT INTO a VALUES (1), (2);');
    writeFileSync(join(m, 'down.sql'), 'DROP TABLE a;');
    writeFileSync(join(m, 'checks.yaml'), '- name: no rows\n  when: after\n  sql: SELECT id FROM a\n');
    await expect(migrateUp(d.db, loadMigrations(dir))).rejects.toThrow(
      /0001_a: data check "no rows" \(after\) failed: expected 0 rows, got 2; offending rows: \{"id":1\}, \{"id":2\}/,
    );
    expect((await sql<{ t: string | null }>`SELECT to_regclass('a')::text AS t`.execute(d.db)).rows[0]?.t).toBeNull();
    writeFileSync(join(m, 'checks.yaml'), '- name: two rows\n  when: after\n  sql: SELECT id FROM a\n  rows: 2\n');
    expect((await migrateUp(d.db, loadMigrations(dir))).applied).toEqual(['0001_a']);
  });
});
