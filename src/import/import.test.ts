import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questionCreatedMs, reviewUuid } from '../../scripts/xano-fixture.ts';
import type { XanoStub } from '../../scripts/xano-stub.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { freshDatabase } from '../../test/db.ts';
import { hashReviewToken } from '../questions/review-token.ts';
import type { ImportReport } from './run.ts';
import { count, digest, importFrom, FIXTURE_QUESTIONS as N, sourceFor, stub } from './test-helpers.ts';
import { verifyImport } from './verify.ts';
import { xanoSource } from './xano-source.ts';

const byTable = (r: ImportReport, t: string) => r.tables.find((x) => x.table === t);

describe('import xano: the fixture workspace', { timeout: 120_000 }, () => {
  let t: TestApp;
  let s: XanoStub;
  let first: ImportReport;
  beforeAll(async () => {
    t = await createTestApp({ CLIENT_ORIGIN: 'https://app.example' });
    s = await stub();
    first = await importFrom(t.ctx.db, s);
  });
  afterAll(async () => {
    await s.close();
    await t.close();
  });

  it('imports every table, repairs the legacy defects with a counted reason, and rejects what cannot be mapped', async () => {
    const db = t.ctx.db;
    expect(first.tables.map((x) => [x.table, x.inserted, x.rejected])).toEqual([
      ['user', 3, 2],
      ['expert_profile', 3, 2],
      ['media_asset', 30, 0],
      ['question', N + 2, 1],
      ['answer', 24, 2],
      ['payment_table_structure', N + 3, 2],
      ['utm_campaign', 3, 1],
      ['campaign_visit', 30, 0],
    ]);
    expect(byTable(first, 'question')?.repairs).toMatchObject({
      'question_tier tier1|tier2 → quick_consult|deep_dive': 20,
      'review token stored hashed': N + 2,
      'legacy column question_text → text': 8,
      'attachments: unparseable JSON text dropped': 3,
      'media owner_type/owner_id → question.media_asset_id': 6,
    });
    expect(byTable(first, 'payment_table_structure')?.repairs).toMatchObject({ "created_at = 0 → the question's time": 43 });
    expect(first.notImported.map((n) => n.table)).toContain('magic_link_token');
    expect(await count(db, 'magic_link_token')).toBe(0);

    // ms timestamps, tiers, legacy names, attachments and the created_at = 0 payment, in the rows
    const q3 = await db.selectFrom('question').selectAll().where('id', '=', 3).executeTakeFirstOrThrow();
    expect(q3).toMatchObject({
      text: 'Text of 3',
      payer_email: 'asker3@example.net',
      payer_first_name: 'Asker',
      payer_last_name: '3',
      status: 'closed',
      payment_intent_id: 'pi_test_3',
    });
    expect(q3.created_at.getTime()).toBe(questionCreatedMs(3));
    const q4 = await db.selectFrom('question').selectAll().where('id', '=', 4).executeTakeFirstOrThrow();
    expect(q4.question_tier).toBe('deep_dive');
    expect(q4.attachments).toEqual([
      { name: 'brief-4.pdf', url: expect.stringContaining('question-attachments/'), size: 1234, type: 'application/pdf' },
    ]);
    const p1 = await db.selectFrom('payment').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    expect(p1.created_at.getTime()).toBe(questionCreatedMs(1));
    expect(p1.status).toBe('captured');
    const p6 = await db.selectFrom('payment').select(['status', 'accepted_at']).where('id', '=', 6).executeTakeFirstOrThrow();
    expect(p6).toEqual({ status: 'refunded', accepted_at: null });
    // media: owner links of pre-FK rows, segments registered as objects
    expect((await db.selectFrom('question').select('media_asset_id').where('id', '=', 1).executeTakeFirstOrThrow()).media_asset_id).toBe(1);
    const segs = await db
      .selectFrom('media_asset_object')
      .select(['target', 'object_key'])
      .where('media_asset_id', '=', 5)
      .orderBy('segment_index')
      .execute();
    expect(segs.map((o) => o.target)).toEqual(['video', 'storage', 'video']);
    expect((await db.selectFrom('media_asset').select('duration_sec').where('id', '=', 5).executeTakeFirstOrThrow()).duration_sec).toBe(33);
    // handle collision reported, not silently merged
    expect((await db.selectFrom('expert_profile').select('handle').where('id', '=', 2).executeTakeFirstOrThrow()).handle).toBe('expert1-2');
    const issue = await db.selectFrom('import_issue').selectAll().where('kind', '=', 'handle_collision').executeTakeFirstOrThrow();
    expect(issue).toMatchObject({ table_name: 'expert_profile', legacy_id: '2' });
  });

  it('keeps rejected rows whole with their reason, and reports dangling references instead of inventing rows', async () => {
    const db = t.ctx.db;
    const rejected = await db.selectFrom('import_rejected').selectAll().orderBy('table_name').orderBy('legacy_id').execute();
    expect(rejected).toHaveLength(10);
    const q = rejected.find((r) => r.table_name === 'question');
    expect(q).toMatchObject({
      legacy_id: String(N + 1),
      reason: expect.stringMatching(/expert_profile_id 990000001 points at a missing expert profile/),
    });
    expect((q?.raw as { id: number } | undefined)?.id).toBe(N + 1);
    expect(
      await db
        .selectFrom('question')
        .select('id')
        .where('id', '=', N + 1)
        .executeTakeFirst(),
    ).toBeUndefined();
    const dangling = await db.selectFrom('import_issue').selectAll().where('kind', '=', 'dangling_fk').orderBy('table_name').execute();
    expect(dangling.map((d) => [d.table_name, d.legacy_id])).toEqual([
      ['payment_table_structure', String(N + 1)],
      ['question', String(N + 2)],
    ]);
    expect(await count(db, 'expert_profile')).toBe(3);
  });

  it('moves the id sequences past the legacy ids', async () => {
    const u = await t.ctx.db
      .insertInto('user')
      .values({ email: 'new@example.test', auth_provider: 'magic_link' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(u.id).toBeGreaterThan(3);
    await t.ctx.db.deleteFrom('user').where('id', '=', u.id).execute();
  });

  it('verifies clean, and catches a changed row', async () => {
    const clean = await verifyImport(t.ctx.db, sourceFor(s), { perPage: 25 });
    expect(clean.ok).toBe(true);
    expect(clean.payments).toMatchObject({ questions: N + 2, withoutPayment: 0, stateMismatch: 0 });
    expect(clean.tables.every((x) => x.sourceChecksum === x.databaseChecksum)).toBe(true);
    await t.ctx.db.updateTable('question').set({ title: 'edited' }).where('id', '=', 7).execute();
    await t.ctx.db.updateTable('payment').set({ status: 'authorized' }).where('id', '=', 1).execute();
    const bad = await verifyImport(t.ctx.db, sourceFor(s), { perPage: 25 });
    expect(bad.ok).toBe(false);
    expect(bad.tables.find((x) => x.table === 'question')).toMatchObject({ differing: 1, examples: ['7 differs'], ok: false });
    expect(bad.payments).toMatchObject({ stateMismatch: 1, examples: [1], ok: false });
    // a re-run repairs both edits (the source is the truth until cutover), and verifies clean again
    const again = await importFrom(t.ctx.db, s);
    expect(byTable(again, 'question')).toMatchObject({ inserted: 0, updated: 1, unchanged: N + 1 });
    expect((await verifyImport(t.ctx.db, sourceFor(s), { perPage: 25 })).ok).toBe(true);
  });

  it('a second run changes nothing', async () => {
    const before = await digest(t.ctx.db);
    const second = await importFrom(t.ctx.db, s);
    for (const x of second.tables) expect([x.table, x.inserted, x.updated]).toEqual([x.table, 0, 0]);
    expect(await digest(t.ctx.db)).toEqual(before);
  });

  it('an imported asker review link opens the review page', async () => {
    const token = reviewUuid(1);
    const stored = await t.ctx.db.selectFrom('question').select('playback_token_hash').where('id', '=', 1).executeTakeFirstOrThrow();
    expect(stored.playback_token_hash).toBe(hashReviewToken(token));
    const res = await t.app.inject({ method: 'GET', url: `/review/${token}` });
    expect(res.statusCode).toBe(200);
    expect(JSON.stringify(res.json())).toContain('Question 1');
    expect((await t.app.inject({ method: 'GET', url: `/review/${reviewUuid(999_999)}` })).statusCode).toBe(404);
  });

  it('the imported expert signs in by magic link and sees their questions', async () => {
    const send = await t.app.inject({
      method: 'POST',
      url: '/api/auth/magic-link/send',
      payload: { email: 'user1@example.com' },
      remoteAddress: '10.9.0.1',
    });
    expect(send.statusCode).toBe(200);
    const mail = await t.ctx.db
      .selectFrom('email_outbox')
      .select('text_body')
      .where('to_address', '=', 'user1@example.com')
      .executeTakeFirstOrThrow();
    const link = /magic-link\?token=([A-Za-z0-9_-]+)/.exec(mail.text_body)?.[1];
    const verify = await t.app.inject({
      method: 'POST',
      url: '/api/auth/magic-link/verify',
      payload: { token: link },
      remoteAddress: '10.9.0.2',
    });
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toMatchObject({ email: 'user1@example.com', is_new_user: false });
    const list = await t.app.inject({
      method: 'GET',
      url: '/me/questions?filter_type=all&per_page=100',
      headers: { authorization: `Bearer ${verify.json().token}` },
    });
    expect(list.statusCode).toBe(200);
    const ids = (list.json().questions as { id: number }[]).map((q) => q.id);
    const mine = await t.ctx.db
      .selectFrom('question')
      .select('id')
      .where('expert_profile_id', '=', 1)
      .where('pricing_status', '<>', 'offer_pending')
      .execute();
    expect(ids.sort((a, b) => a - b)).toEqual(mine.map((q) => q.id).sort((a, b) => a - b));
  });

  it('--since last re-reads only rows created or changed since the last pass', async () => {
    s.patch('question', 5, { status: 'closed', answered_at: Date.now() });
    const added = s.add('question', {
      ...((await sourceRow(s, 9)) as object),
      playback_token_hash: reviewUuid(5000),
      created_at: Date.now(),
    });
    const delta = await importFrom(t.ctx.db, s, { since: 'last' });
    const q = byTable(delta, 'question');
    expect(q).toMatchObject({ read: 2, inserted: 1, updated: 1 });
    expect(byTable(delta, 'user')?.read).toBe(0);
    const row = await t.ctx.db.selectFrom('question').select(['status', 'id']).where('id', 'in', [5, added]).orderBy('id').execute();
    expect(row).toEqual([
      { id: 5, status: 'closed' },
      { id: added, status: 'paid' },
    ]);
  });
});

async function sourceRow(s: XanoStub, id: number) {
  const res = await fetch(`${s.url}/api:meta/workspace/1/table/103/content?page=${id}&per_page=1`, {
    headers: { authorization: 'Bearer stub-token-0123456789' },
  });
  return ((await res.json()) as { items: unknown[] }).items[0];
}

describe('import xano: faults and dry run', { timeout: 120_000 }, () => {
  it('retries 429, 5xx and dropped connections and ends with the same data as a clean run', async () => {
    const clean = await freshDatabase();
    const faulty = await freshDatabase();
    const good = await stub();
    const bad = await stub({ rateLimitEvery: 4, errorEvery: 5, dropEvery: 7, retryAfterSeconds: 0.01 });
    try {
      await importFrom(clean.db, good);
      await importFrom(faulty.db, bad);
      expect(bad.requests.rateLimited).toBeGreaterThan(0);
      expect(bad.requests.errors).toBeGreaterThan(0);
      expect(bad.requests.drops).toBeGreaterThan(0);
      expect(await digest(faulty.db)).toEqual(await digest(clean.db));
    } finally {
      await Promise.all([good.close(), bad.close(), clean.close(), faulty.close()]);
    }
  });

  it('refuses a wrong token with a clear error and no retries', async () => {
    const d = await freshDatabase();
    const s = await stub();
    try {
      const src = xanoSource({ url: s.url, workspace: '1', token: 'nope' });
      await expect(importFrom(d.db, s, { source: src })).rejects.toThrow(/refused the token \(HTTP 401\)/);
      expect(s.requests.unauthorized).toBe(1);
    } finally {
      await Promise.all([s.close(), d.close()]);
    }
  });

  it('--dry-run maps everything and writes nothing', async () => {
    const d = await freshDatabase();
    const s = await stub();
    try {
      const report = await importFrom(d.db, s, { dryRun: true });
      expect(report.dryRun).toBe(true);
      expect(byTable(report, 'question')).toMatchObject({ inserted: N + 2, rejected: 1 });
      for (const table of ['user', 'question', 'payment', 'import_run', 'import_rejected', 'import_issue'])
        expect(await count(d.db, table)).toBe(0);
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM media_asset_object`.execute(d.db);
      expect(rows[0]?.n).toBe(0);
    } finally {
      await Promise.all([s.close(), d.close()]);
    }
  });
});
