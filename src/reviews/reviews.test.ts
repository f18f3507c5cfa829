import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { askDeepDive, askQuickConsult, type ExpertWithToken, expertWithToken } from '../../test/question-helpers.ts';
import { tombstoneReviewTokens } from './queries.ts';

describe('the review page', () => {
  let t: TestApp;
  let e: ExpertWithToken;
  beforeAll(async () => {
    t = await createTestApp();
    e = await expertWithToken(t);
    await t.database.db
      .updateTable('expert_profile')
      .set({ avatar_url: 'https://img.example/a.webp', professional_title: 'Pricing coach', tier2_auto_decline_below_cents: 1000 })
      .where('id', '=', e.profile.id)
      .execute();
  });
  afterAll(() => t.close());

  it('shows the asker what they need, in the shapes the page reads, and nothing private', async () => {
    const { questionId, reviewToken, intentId } = await askQuickConsult(t, e);
    const res = await t.app.inject({ method: 'GET', url: `/review/${reviewToken}` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      id: questionId,
      title: 'How do I price my consulting?',
      status: 'paid',
      pricing_status: 'paid',
      price_cents: 5000,
      currency: 'USD',
      sla_hours_snapshot: 24,
      media_asset: [],
      media_asset_answer: null,
      answer: null,
      expert_profile: { handle: e.profile.handle, avatar_url: 'https://img.example/a.webp', professional_title: 'Pricing coach' },
      user: 'Expert Person',
      playback_token_hash: reviewToken, // §6 check 7: the link holder gets the token back
    });
    expect(typeof body.attachments).toBe('string');
    expect(JSON.parse(body.attachments)).toEqual([
      { name: 'brief.pdf', url: 'https://files.example/brief.pdf', size: 1200, type: 'application/pdf' },
    ]);
    const text = res.body;
    for (const secret of [
      intentId,
      'payment_intent_id',
      'payer_email',
      'asker@example.test',
      e.user.email,
      'tier2_auto_decline_below_cents',
      'user_id',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('shows the answer with string attachments and its recording as arrays', async () => {
    const { questionId, reviewToken } = await askQuickConsult(t, e);
    const media = await t.database.db
      .insertInto('media_asset')
      .values({ provider: 'cloudflare_r2', asset_id: 'audio/1-a.webm', status: 'ready', url: 'https://r2.example/audio/1-a.webm' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.app.inject({
      method: 'POST',
      url: '/answer',
      headers: e.auth,
      payload: {
        question_id: questionId,
        text_response: 'Here it is',
        media_asset_id: media.id,
        attachments: [{ name: 'n.txt', url: 'https://f.example/n.txt', size: 3, type: 'text/plain' }],
      },
    });
    const body = (await t.app.inject({ method: 'GET', url: `/review/${reviewToken}` })).json();
    expect(body.status).toBe('closed');
    expect(body.answer).toMatchObject({ text_response: 'Here it is', rating: null, allow_testimonial: false, media_asset_id: media.id });
    expect(JSON.parse(body.answer.attachments)).toEqual([{ name: 'n.txt', url: 'https://f.example/n.txt', size: 3, type: 'text/plain' }]);
    expect(body.media_asset_answer).toEqual([expect.objectContaining({ id: media.id, provider: 'cloudflare_r2' })]);
  });

  it('shows a declined offer with its reason', async () => {
    const low = await expertWithToken(t, { tier2_auto_decline_below_cents: 50000 });
    const { reviewToken } = await askDeepDive(t, low, 20000);
    const body = (await t.app.inject({ method: 'GET', url: `/review/${reviewToken}` })).json();
    expect(body).toMatchObject({
      status: 'declined',
      pricing_status: 'offer_declined',
      decline_reason: 'Offer below minimum threshold of $500.00',
      question_tier: 'deep_dive',
    });
  });

  it('answers 404 for an unknown token and 410 for a removed question', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/review/invalid-token-12345' })).statusCode).toBe(404);
    const { questionId, reviewToken } = await askQuickConsult(t, e);
    await t.database.db.transaction().execute(async (trx) => {
      await tombstoneReviewTokens(trx, [questionId], 'expert_deleted', t.clock.now);
      await trx.deleteFrom('question').where('id', '=', questionId).execute();
    });
    const res = await t.app.inject({ method: 'GET', url: `/review/${reviewToken}` });
    expect([res.statusCode, res.json().code]).toEqual([410, 'review_removed']);
    const fb = await t.app.inject({ method: 'POST', url: `/review/${reviewToken}/feedback`, payload: { rating: 5 } });
    expect(fb.statusCode).toBe(410);
  });

  it('keeps legacy clear-text UUID tokens working', async () => {
    const { questionId } = await askQuickConsult(t, e);
    const legacy = '0b5f8f2e-3c3a-4d4e-9f00-123456789abc';
    await t.database.db.updateTable('question').set({ playback_token_hash: legacy }).where('id', '=', questionId).execute();
    const res = await t.app.inject({ method: 'GET', url: `/review/${legacy}` });
    expect([res.statusCode, res.json().id]).toEqual([200, questionId]);
  });

  describe('POST /review/:token/feedback', () => {
    it('rates an answered question once (1–5)', async () => {
      const { questionId, reviewToken } = await askQuickConsult(t, e);
      const early = await t.app.inject({ method: 'POST', url: `/review/${reviewToken}/feedback`, payload: { rating: 5 } });
      expect([early.statusCode, early.json().code]).toEqual([400, 'not_answered']);
      await t.app.inject({
        method: 'POST',
        url: '/answer',
        headers: e.auth,
        payload: { question_id: questionId, text_response: 'Answer' },
      });
      for (const rating of [0, 6, 10, 'five']) {
        const bad = await t.app.inject({ method: 'POST', url: `/review/${reviewToken}/feedback`, payload: { rating } });
        expect(bad.statusCode, String(rating)).toBe(400);
      }
      const ok = await t.app.inject({
        method: 'POST',
        url: `/review/${reviewToken}/feedback`,
        payload: { rating: 4, feedback_text: 'Helpful', allow_testimonial: true },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ success: true, rating: 4, feedback_text: 'Helpful', feedback_at: t.clock.now.getTime() });
      const again = await t.app.inject({ method: 'POST', url: `/review/${reviewToken}/feedback`, payload: { rating: 1 } });
      expect([again.statusCode, again.json().code]).toEqual([400, 'already_rated']);
      const row = await t.database.db.selectFrom('answer').selectAll().where('question_id', '=', questionId).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ rating: 4, feedback_text: 'Helpful', allow_testimonial: true });
    });

    it('answers 404 for an unknown token', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/review/invalid-token-12345/feedback', payload: { rating: 5 } });
      expect(res.statusCode).toBe(404);
    });
  });
});
