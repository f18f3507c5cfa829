import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/index.ts';
import { loadMigrations, MIGRATIONS_DIR, migrateDown, migrateUp } from '../src/migrate/index.ts';
import { emptyDatabase } from './db.ts';

/**
 * The seed's media-asset migration, replayed on a realistic legacy data set: every row must
 * survive the whole history, every owner link must become a foreign key to the same media row,
 * and rolling back to the initial schema must bring the owner columns back with the same values.
 */
const LEGACY_SEED = `
INSERT INTO "user" (email, name, fname, lname, auth_provider, auth_provider_id, google_oauth, created_at)
SELECT 'person' || g || '@legacy.example', CASE WHEN g % 4 = 0 THEN '' ELSE 'Person ' || g END,
       'First' || g, 'Last' || g, (ARRAY['google', 'linkedin', 'magic_link'])[1 + g % 3],
       'prov-' || g, CASE WHEN g % 3 = 1 THEN jsonb_build_object('id', 'g' || g, 'name', 'Person ' || g) END,
       timestamptz '2025-01-01' + g * interval '37 minutes'
FROM generate_series(1, 400) g;

INSERT INTO expert_profile (user_id, handle, bio, price_cents, sla_hours, public, expertise, socials, accepting_questions, created_at)
SELECT id, 'expert_' || id, 'Bio of ' || id, 2500 + (id % 7) * 1000, 24 + (id % 3) * 24, id % 6 <> 0,
       jsonb_build_array('topic' || (id % 5)), jsonb_build_object('x', '@e' || id), id % 10 <> 0, created_at
FROM "user" WHERE id % 3 <> 0;

INSERT INTO question (expert_profile_id, payer_email, payer_first_name, title, text, attachments, price_cents, status,
                      sla_hours_snapshot, sla_deadline, playback_token_hash, answered_at, created_at)
SELECT ep.id, 'asker' || g || '@mail.example', 'Asker' || g, 'Question ' || g, 'Details of question ' || g,
       CASE WHEN g % 5 = 0 THEN jsonb_build_array(jsonb_build_object('name', 'f' || g || '.pdf', 'url', 'https://r2.example/question-attachments/' || g, 'size', g * 10, 'type', 'application/pdf')) END,
       ep.price_cents, (ARRAY['paid', 'closed', 'declined', 'refunded'])[1 + g % 4], ep.sla_hours,
       timestamptz '2025-06-01' + g * interval '1 hour', md5('token' || g),
       CASE WHEN g % 4 = 1 THEN timestamptz '2025-06-01' + g * interval '30 minutes' END,
       timestamptz '2025-05-01' + g * interval '20 minutes'
FROM generate_series(1, 900) g
JOIN LATERAL (SELECT id, price_cents, sla_hours FROM expert_profile ORDER BY id OFFSET (g % 260) LIMIT 1) ep ON true;

INSERT INTO answer (question_id, user_id, text_response, rating, feedback_text, sent_at, created_at)
SELECT q.id, ep.user_id, 'Answer to ' || q.id, CASE WHEN q.id % 3 = 0 THEN 1 + q.id % 5 END,
       CASE WHEN q.id % 6 = 0 THEN 'thanks' END, q.answered_at, q.answered_at
FROM question q JOIN expert_profile ep ON ep.id = q.expert_profile_id WHERE q.answered_at IS NOT NULL;

-- Media owned through owner_type/owner_id: most questions and answers have one recording.
INSERT INTO media_asset (owner_type, owner_id, provider, asset_id, duration_sec, status, url, metadata, created_at)
SELECT 'question', id, 'cloudflare_stream', 'uid-q-' || id, 30 + id % 60, 'ready',
       'https://stream.example/uid-q-' || id || '/manifest/video.m3u8',
       jsonb_build_object('type', 'multi-segment', 'segment_count', 1 + id % 3), created_at
FROM question WHERE id % 7 <> 0;
INSERT INTO media_asset (owner_type, owner_id, provider, asset_id, duration_sec, status, url, created_at)
SELECT 'answer', id, CASE WHEN id % 2 = 0 THEN 'cloudflare_stream' ELSE 'cloudflare_r2' END,
       'uid-a-' || id, 60 + id % 300, 'ready', 'https://media.example/audio/' || id || '.webm', created_at
FROM answer WHERE id % 5 <> 0;
-- Orphans: uploads never attached to anything.
INSERT INTO media_asset (provider, asset_id, status, created_at)
SELECT 'cloudflare_stream', 'orphan-' || g, 'processing', timestamptz '2025-07-01' + g * interval '1 day' FROM generate_series(1, 40) g;

INSERT INTO payment (question_id, stripe_payment_intent_id, amount_cents, status, question_type, authorized_at, captured_at, created_at)
SELECT id, 'pi_test_' || id, price_cents,
       CASE status WHEN 'closed' THEN 'captured' WHEN 'refunded' THEN 'refunded' ELSE 'authorized' END,
       'quick_consult', created_at, answered_at, created_at
FROM question;

INSERT INTO magic_link_token (email, token, verification_code, expires_at, used, created_at)
SELECT 'person' || g || '@legacy.example', md5('ml' || g), lpad((100000 + g)::text, 6, '0'),
       timestamptz '2025-08-01' + g * interval '15 minutes', g % 2 = 0, timestamptz '2025-08-01' + g * interval '15 minutes' - interval '15 minutes'
FROM generate_series(1, 300) g;
`;

const LEGACY_TABLES = ['user', 'expert_profile', 'question', 'answer', 'media_asset', 'payment', 'magic_link_token'];

describe('legacy data through the whole migration history', () => {
  let d: Database;
  const columnsAt1 = new Map<string, string[]>();
  const digestsAt1 = new Map<string, string>();
  let owners: { id: number; owner_type: string | null; owner_id: number | null }[] = [];

  /** A digest of every row of a table over the given columns, in id order. */
  async function digest(table: string, columns: string[]): Promise<{ rows: number; md5: string }> {
    const cols = columns.map((c) => `"${c}"`).join(', ');
    const r = await sql<{ rows: number; md5: string }>`
      SELECT count(*)::int AS rows, md5(coalesce(string_agg(row(${sql.raw(cols)})::text, E'\\n' ORDER BY id), '')) AS md5
      FROM ${sql.table(table)}`.execute(d.db);
    return r.rows[0] as { rows: number; md5: string };
  }

  beforeAll(async () => {
    d = await emptyDatabase();
    const migrations = loadMigrations(MIGRATIONS_DIR);
    await migrateUp(d.db, migrations, { to: 1 });
    for (const stmt of LEGACY_SEED.split(';\n').filter((s) => s.trim())) await sql.raw(stmt).execute(d.db);
    for (const t of LEGACY_TABLES) {
      const cols = await sql<{ c: string }>`
        SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ${t} ORDER BY ordinal_position`.execute(
        d.db,
      );
      const names = cols.rows.map((r) => r.c);
      columnsAt1.set(t, names);
      digestsAt1.set(
        t,
        JSON.stringify(
          await digest(
            t,
            names.filter((c) => !(t === 'media_asset' && c.startsWith('owner_'))),
          ),
        ),
      );
    }
    owners = (await sql<(typeof owners)[number]>`SELECT id, owner_type, owner_id FROM media_asset ORDER BY id`.execute(d.db)).rows;
  });
  afterAll(() => d.close());

  it('starts from a realistic data set', async () => {
    const counts = await sql<{ users: number; questions: number; answers: number; owned: number; orphans: number }>`
      SELECT (SELECT count(*)::int FROM "user") AS users, (SELECT count(*)::int FROM question) AS questions,
             (SELECT count(*)::int FROM answer) AS answers,
             (SELECT count(*)::int FROM media_asset WHERE owner_id IS NOT NULL) AS owned,
             (SELECT count(*)::int FROM media_asset WHERE owner_id IS NULL) AS orphans`.execute(d.db);
    expect(counts.rows[0]).toMatchObject({ users: 400, questions: 900 });
    expect(counts.rows[0]?.answers).toBeGreaterThan(200);
    expect(counts.rows[0]?.owned).toBeGreaterThan(900);
    expect(counts.rows[0]?.orphans).toBe(40);
  });

  it('migrates to the head keeping every row and turning every owner link into a foreign key', async () => {
    await migrateUp(d.db, loadMigrations(MIGRATIONS_DIR));
    for (const t of LEGACY_TABLES) {
      const cols = (columnsAt1.get(t) as string[]).filter((c) => !(t === 'media_asset' && c.startsWith('owner_')));
      expect(JSON.stringify(await digest(t, cols)), `table ${t}`).toBe(digestsAt1.get(t));
    }
    const links = await sql<{ kind: string; owner_id: number; media_id: number }>`
      SELECT 'question' AS kind, id AS owner_id, media_asset_id AS media_id FROM question WHERE media_asset_id IS NOT NULL
      UNION ALL
      SELECT 'answer', id, media_asset_id FROM answer WHERE media_asset_id IS NOT NULL`.execute(d.db);
    const expected = owners
      .filter((o) => o.owner_type)
      .map((o) => `${o.owner_type}:${o.owner_id}->${o.id}`)
      .sort();
    expect(links.rows.map((l) => `${l.kind}:${l.owner_id}->${l.media_id}`).sort()).toEqual(expected);
    const ownerCols = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'media_asset' AND column_name LIKE 'owner_%'`.execute(
      d.db,
    );
    expect(ownerCols.rows[0]?.n).toBe(0);
  });

  it('rolls back to the initial schema with the owner columns restored to the same values', async () => {
    await migrateDown(d.db, loadMigrations(MIGRATIONS_DIR), { to: 1 });
    const back = (await sql<(typeof owners)[number]>`SELECT id, owner_type, owner_id FROM media_asset ORDER BY id`.execute(d.db)).rows;
    expect(back).toEqual(owners);
    for (const t of LEGACY_TABLES) {
      const cols = (columnsAt1.get(t) as string[]).filter((c) => !(t === 'media_asset' && c.startsWith('owner_')));
      expect(JSON.stringify(await digest(t, cols)), `table ${t}`).toBe(digestsAt1.get(t));
    }
    const qCols = await sql<{ c: string }>`
      SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'question' ORDER BY ordinal_position`.execute(
      d.db,
    );
    expect(qCols.rows.map((r) => r.c)).toEqual(columnsAt1.get('question'));
  });
});
