import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { createUser } from '../../test/factories.ts';
import { askDeepDive, askQuickConsult, expertWithToken, lifecycle, xanoQuestionBody } from '../../test/question-helpers.ts';
import { collectSubject, findResidue } from '../privacy/residue.ts';

const KEY = 'internal-key-for-tests-0123456789';
const HOUR = 3_600_000;

describe('internal endpoints (x_api_key)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ INTERNAL_API_KEY: KEY });
  });
  afterAll(() => t.close());

  const get = (url: string, key: string | null = KEY) =>
    t.app.inject({ method: 'GET', url: key === null ? url : `${url}${url.includes('?') ? '&' : '?'}x_api_key=${encodeURIComponent(key)}` });

  const routes: [string, string][] = [
    ['GET', '/internal/digest/pending-questions'],
    ['GET', '/internal/user/1/email'],
    ['GET', '/questions/pending-offers'],
    ['GET', '/questions/expired-sla'],
    ['GET', '/internal/media'],
    ['POST', '/question/1/expire-offer'],
    ['POST', '/question/1/expire-sla'],
    ['DELETE', '/internal/test-data/cleanup'],
  ];
  it.each(routes)('%s %s: no key 401, wrong key 401 (query or body), a session is no key', async (method, url) => {
    const send = (query: string, payload?: object, headers: Record<string, string> = {}) =>
      t.app.inject({ method: method as 'GET', url: `${url}${query}`, headers, ...(payload ? { payload } : {}) });
    const none = await send('');
    expect([none.statusCode, none.json().code]).toEqual([401, 'api_key_required']);
    for (const wrong of ['wrong-key-wrong-key-wrong-key-00', 'x', `${KEY}x`, KEY.slice(0, -1)]) {
      const q = await send(`?x_api_key=${wrong}`);
      expect([q.statusCode, q.json().code]).toEqual([401, 'invalid_api_key']);
      if (method !== 'GET') expect((await send('', { x_api_key: wrong })).statusCode).toBe(401);
    }
    const user = await expertWithToken(t);
    expect((await send('', undefined, user.auth)).statusCode).toBe(401);
  });

  it('answers 404 when INTERNAL_API_KEY is not set', async () => {
    const off = await createTestApp();
    try {
      const res = await off.app.inject({ method: 'GET', url: `/internal/digest/pending-questions?x_api_key=${KEY}` });
      expect([res.statusCode, res.json().code]).toEqual([404, 'internal_api_disabled']);
    } finally {
      await off.close();
    }
  });

  it('digest: only pending questions of experts with the digest on (the legacy list had no pending filter)', async () => {
    const on = await expertWithToken(t);
    const off = await expertWithToken(t);
    await t.database.db.updateTable('expert_profile').set({ daily_digest_enabled: false }).where('id', '=', off.profile.id).execute();
    const pending = await askQuickConsult(t, on);
    const answered = await askQuickConsult(t, on);
    await t.app.inject({
      method: 'POST',
      url: '/answer',
      headers: on.auth,
      payload: { question_id: answered.questionId, text_response: 'x' },
    });
    const offer = await askDeepDive(t, on, 20000);
    await askQuickConsult(t, off);
    const res = await get('/internal/digest/pending-questions');
    expect(res.statusCode).toBe(200);
    const mine = (res.json() as { question: { id: number } }[]).filter((x) =>
      [pending, answered, offer].some((a) => a.questionId === x.question.id),
    );
    expect(mine).toEqual([
      {
        question: {
          id: pending.questionId,
          expert_profile_id: on.profile.id,
          title: 'How do I price my consulting?',
          payer_first_name: 'Ann',
          price_cents: 5000,
          currency: 'USD',
          created_at: t.clock.now.getTime(),
          sla_hours_snapshot: 24,
          sla_deadline: t.clock.now.getTime() + 24 * HOUR,
          time_remaining_seconds: 24 * 3600,
        },
        user_email: on.user.email,
        user_name: 'Expert Person',
      },
    ]);
    expect(res.json().some((x: { question: { expert_profile_id: number } }) => x.question.expert_profile_id === off.profile.id)).toBe(
      false,
    );
    expect(res.body).not.toContain('asker@example.test');
  });

  it('user e-mail lookup: {email, name}; 404 unknown; a body id that differs from the path is 400', async () => {
    const u = await createUser(t.database.db, { name: 'Lin' });
    expect((await get(`/internal/user/${u.id}/email`)).json()).toEqual({ email: u.email, name: 'Lin' });
    expect((await get('/internal/user/999999/email')).statusCode).toBe(404);
    expect((await get(`/internal/user/${u.id}/email?user_id=${u.id + 1}`)).json().code).toBe('path_parameter_mismatch');
  });

  it('pending offers (deep_dive, not the legacy tier2) and expired SLAs, then expiry through the jobs’ service', async () => {
    const e = await expertWithToken(t);
    const offer = await askDeepDive(t, e, 20000);
    const qc = await askQuickConsult(t, e);
    const ids = async (url: string) => (await get(url)).json().map((x: { id: number }) => x.id);
    expect(await ids('/questions/pending-offers')).toContain(offer.questionId);
    expect(await ids('/questions/pending-offers')).not.toContain(qc.questionId);
    expect(await ids('/questions/expired-sla')).not.toContain(qc.questionId);

    // Not due yet: nothing changes.
    const early = await t.app.inject({ method: 'POST', url: `/question/${offer.questionId}/expire-offer`, payload: { x_api_key: KEY } });
    expect([early.statusCode, early.json().code]).toEqual([409, 'not_due']);
    expect((await lifecycle(t, offer.questionId)).pricing_status).toBe('offer_pending');
    expect((await t.app.inject({ method: 'POST', url: `/question/999999/expire-sla?x_api_key=${KEY}` })).statusCode).toBe(404);

    t.clock.advance(25 * HOUR);
    expect(await ids('/questions/expired-sla')).toContain(qc.questionId);
    const mismatch = await t.app.inject({
      method: 'POST',
      url: `/question/${offer.questionId}/expire-offer`,
      payload: { x_api_key: KEY, id: 1 },
    });
    expect(mismatch.statusCode).toBe(400);
    const o = await t.app.inject({
      method: 'POST',
      url: `/question/${offer.questionId}/expire-offer`,
      payload: { x_api_key: KEY, id: offer.questionId },
    });
    expect(o.json()).toEqual({
      success: true,
      question_id: offer.questionId,
      status: 'declined',
      pricing_status: 'offer_expired',
      decline_reason: 'Offer expired - not accepted within 24 hours',
    });
    const s = await t.app.inject({ method: 'POST', url: `/question/${qc.questionId}/expire-sla?x_api_key=${KEY}` });
    expect(s.json()).toMatchObject({
      success: true,
      status: 'declined',
      decline_reason: 'SLA expired - question not answered within deadline',
    });
    for (const id of [offer.questionId, qc.questionId]) {
      expect(await lifecycle(t, id)).toMatchObject({ status: 'declined', payment: 'refunded', intent: 'canceled', pending_action: null });
      const mails = await t.database.db.selectFrom('email_outbox').select('id').where('dedupe_key', 'like', `%-expired:${id}`).execute();
      expect(mails).toHaveLength(1);
    }
    expect(await ids('/questions/pending-offers')).not.toContain(offer.questionId);
  });

  it('GET /internal/media: media rows and references, no tokens, codes or e-mails', async () => {
    const e = await expertWithToken(t);
    await t.database.db
      .updateTable('expert_profile')
      .set({ avatar_url: 'https://img.example/p.webp' })
      .where('id', '=', e.profile.id)
      .execute();
    const media = await t.database.db
      .insertInto('media_asset')
      .values({ provider: 'cloudflare_r2', asset_id: 'audio/1-ab.webm', status: 'ready', url: 'https://r2.example/audio/1-ab.webm' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const q = await askQuickConsult(t, e, { media_asset_id: media.id });
    await t.app.inject({ method: 'POST', url: '/api/auth/magic-link/send', payload: { email: 'link@example.test' } });
    const res = await get('/internal/media');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.media_assets).toContainEqual(
      expect.objectContaining({ id: media.id, asset_id: 'audio/1-ab.webm', provider: 'cloudflare_r2' }),
    );
    expect(body.avatars).toContainEqual({ expert_profile_id: e.profile.id, avatar_url: 'https://img.example/p.webp' });
    expect(body.questions).toContainEqual(expect.objectContaining({ id: q.questionId, media_asset_id: media.id }));
    expect(body.magic_link_tokens.length).toBeGreaterThan(0);
    expect(Object.keys(body.magic_link_tokens[0]).sort()).toEqual(['created_at', 'expires_at', 'id', 'used', 'used_at']);
    for (const secret of ['link@example.test', 'asker@example.test', 'token_hash', 'code_hash', 'payer_email', 'verification_code']) {
      expect(res.body).not.toContain(secret);
    }
  });

  it('test-data cleanup: only pi_test_ questions, everything they own, one transaction, nothing left behind', async () => {
    const e = await expertWithToken(t);
    const media = await t.database.db
      .insertInto('media_asset')
      .values({ provider: 'cloudflare_stream', asset_id: 'uid-test-1', status: 'ready', url: 'https://v.example/uid-test-1' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const intent = `pi_test_${Date.now()}`;
    const asked = await t.app.inject({
      method: 'POST',
      url: '/question/quick-consult',
      payload: xanoQuestionBody(e.profile.id, intent, { payer_email: 'cleanup-asker@example.test', media_asset_id: media.id }),
    });
    expect(asked.statusCode).toBe(200);
    const testId = asked.json().question_id as number;
    await t.app.inject({ method: 'POST', url: '/answer', headers: e.auth, payload: { question_id: testId, text_response: 'Test answer' } });
    const real = await askQuickConsult(t, e); // a pi_sim_ intent: never touched
    const subject = await collectSubject(t.database.db, [{ table: 'question', ids: [testId] }], ['cleanup-asker@example.test', intent]);

    const res = await t.app.inject({ method: 'DELETE', url: `/internal/test-data/cleanup?x_api_key=${KEY}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      success: true,
      question_ids: [testId],
      counts: { question: 1, answer: 1, payment: 1, media_asset: 1 },
    });
    expect(await findResidue(t.database.db, subject, { exhaustive: true })).toEqual([]);
    expect(await t.database.db.selectFrom('simulated_payment_intent').select('id').where('id', '=', intent).execute()).toEqual([]);
    expect((await lifecycle(t, real.questionId)).status).toBe('paid');
    // Idempotent: nothing left to delete.
    expect((await t.app.inject({ method: 'DELETE', url: `/internal/test-data/cleanup?x_api_key=${KEY}` })).json().deleted_questions).toBe(
      0,
    );
  });

  it('test-data cleanup refuses outside simulated payments', async () => {
    const real = t.ctx.payments;
    t.ctx.payments = { ...real, kind: 'stripe' } as typeof real;
    try {
      const res = await t.app.inject({ method: 'DELETE', url: `/internal/test-data/cleanup?x_api_key=${KEY}` });
      expect([res.statusCode, res.json().code]).toEqual([403, 'test_cleanup_disabled']);
    } finally {
      t.ctx.payments = real;
    }
  });
});
