import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDatabase } from '../../test/db.ts';
import type { Database } from './database.ts';
import { listBackups, loadMigrations, MIGRATIONS_DIR, migrateDown, migrateUp } from './index.ts';

const migrations = loadMigrations(MIGRATIONS_DIR);

/**
 * 0005 as a declared backfill must do exactly what its original single UPDATE did (DISTINCT ON
 * owner, oldest media wins, parents already linked or without media untouched), and 0007's down
 * must give every media row its owner back, including the ones no parent points at.
 */
describe('the media-asset FK backfill (0005) and contract (0007)', () => {
  let d: Database;
  let owners: { id: number; owner_type: string | null; owner_id: number | null }[];
  let expected: string[];

  beforeAll(async () => {
    d = await emptyDatabase();
    await migrateUp(d.db, migrations, { to: 4 });
    await sql`INSERT INTO "user" (email, auth_provider) VALUES ('e@x.example', 'magic_link')`.execute(d.db);
    await sql`INSERT INTO expert_profile (user_id, handle) VALUES (1, 'e')`.execute(d.db);
    await sql`
      INSERT INTO question (expert_profile_id, payer_email, title, price_cents, status)
      SELECT 1, 'a' || g || '@x.example', 'q' || g, 100, 'paid' FROM generate_series(1, 2500) g`.execute(d.db);
    await sql`INSERT INTO answer (question_id, user_id) SELECT id, 1 FROM question WHERE id % 2 = 0`.execute(d.db);
    // Most owners one recording, some two (the second must not win), some none, plus orphans.
    await sql`
      INSERT INTO media_asset (owner_type, owner_id, provider, asset_id)
      SELECT 'question', id, 'cloudflare_stream', 'q' || id FROM question WHERE id % 7 <> 0
      UNION ALL SELECT 'question', id, 'cloudflare_stream', 'q2-' || id FROM question WHERE id % 11 = 0
      UNION ALL SELECT 'answer', id, 'cloudflare_r2', 'a' || id FROM answer WHERE id % 5 <> 0
      UNION ALL SELECT 'answer', id, 'cloudflare_r2', 'a2-' || id FROM answer WHERE id % 13 = 0
      UNION ALL SELECT NULL, NULL, 'cloudflare_stream', 'orphan' || g FROM generate_series(1, 30) g`.execute(d.db);
    // A parent linked before the backfill keeps its link.
    await sql`UPDATE question SET media_asset_id = (SELECT max(id) FROM media_asset) WHERE id = 14`.execute(d.db);
    owners = (await sql<(typeof owners)[number]>`SELECT id, owner_type, owner_id FROM media_asset ORDER BY id`.execute(d.db)).rows;
    // What the original 0005 UPDATE … FROM (SELECT DISTINCT ON (owner_id) …) would have set.
    const r = await sql<{ link: string }>`
      SELECT 'question:' || q.id || '->' || coalesce(q.media_asset_id, m.id) AS link FROM question q
      LEFT JOIN (SELECT DISTINCT ON (owner_id) id, owner_id FROM media_asset WHERE owner_type = 'question' ORDER BY owner_id, id) m ON m.owner_id = q.id
      WHERE coalesce(q.media_asset_id, m.id) IS NOT NULL
      UNION ALL
      SELECT 'answer:' || a.id || '->' || m.id FROM answer a
      JOIN (SELECT DISTINCT ON (owner_id) id, owner_id FROM media_asset WHERE owner_type = 'answer' ORDER BY owner_id, id) m ON m.owner_id = a.id`.execute(
      d.db,
    );
    expected = r.rows.map((x) => x.link).sort();
  });
  afterAll(() => d.close());

  it('links each parent to its oldest media row, in batches, leaving linked and media-less parents alone', async () => {
    const result = await migrateUp(d.db, migrations, { to: 5, backfillBatchMs: 0 });
    const steps = result.reports[0]?.steps ?? [];
    expect(steps.map((s) => s.kind)).toEqual(['backfill', 'backfill', 'tx']);
    expect(steps[0]?.backfill?.batches).toBe(3);
    const links = await sql<{ link: string }>`
      SELECT 'question:' || id || '->' || media_asset_id AS link FROM question WHERE media_asset_id IS NOT NULL
      UNION ALL SELECT 'answer:' || id || '->' || media_asset_id FROM answer WHERE media_asset_id IS NOT NULL`.execute(d.db);
    expect(links.rows.map((x) => x.link).sort()).toEqual(expected);
    expect(result.reports[0]?.rowsBackfilled).toBe(expected.length - 1);
  });

  it('contracts with a backup, and the down gives every media row its owner back', async () => {
    await migrateUp(d.db, migrations, { to: 7 });
    const backup = (await listBackups(d.db)).find((b) => b.migration_name === '0007_media_asset_fk_contract');
    expect(backup).toMatchObject({ kind: 'columns', columns: ['owner_type', 'owner_id'] });
    expect(Number(backup?.row_count)).toBe(owners.length);
    await migrateDown(d.db, migrations, { to: 6 });
    const back = await sql<(typeof owners)[number]>`SELECT id, owner_type, owner_id FROM media_asset ORDER BY id`.execute(d.db);
    // Question 14 was linked by hand to the last orphan: the FK fill-back makes it that row's owner.
    const want = owners.map((o) => (o.id === Math.max(...owners.map((x) => x.id)) ? { ...o, owner_type: 'question', owner_id: 14 } : o));
    expect(back.rows).toEqual(want);
  });
});
