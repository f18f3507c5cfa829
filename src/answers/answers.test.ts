import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { bearer, tokenFor } from '../../test/factories.ts';
import { jobsOf, makeJobsDue } from '../../test/jobs.ts';
import { askDeepDive, askQuickConsult, type ExpertWithToken, expertWithToken, lifecycle, states } from '../../test/question-helpers.ts';
import { type PaymentProvider, PaymentProviderError } from '../payment-provider/provider.ts';
import { runDuePaymentActions } from '../payments/actions.ts';

const HOUR = 3600_000;

describe('answers and capture', () => {
  let t: TestApp;
  let e: ExpertWithToken;
  let other: ExpertWithToken;
  const auth = async (x: ExpertWithToken) => bearer(await tokenFor(t.ctx, x.user));
  const answer = async (questionId: number, x = e, extra: Record<string, unknown> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/answer',
      headers: await auth(x),
      payload: { question_id: questionId, text_response: 'My answer', ...extra },
    });
  beforeAll(async () => {
    t = await createTestApp();
    e = await expertWithToken(t);
    other = await expertWithToken(t);
  });
  afterAll(() => t.close());

  it('takes the expert from the token: a body user_id of the owner does not let another expert answer', async () => {
    const { questionId } = await askQuickConsult(t, e);
    const before = await lifecycle(t, questionId);
    const res = await answer(questionId, other, { user_id: e.user.id });
    expect([res.statusCode, res.json().code]).toEqual([403, 'not_question_owner']);
    expect(await lifecycle(t, questionId)).toEqual(before);
    expect(await t.database.db.selectFrom('answer').select('id').where('question_id', '=', questionId).executeTakeFirst()).toBeUndefined();
    const own = await answer(questionId, e, { user_id: other.user.id });
    expect(own.statusCode).toBe(200);
    const row = await t.database.db.selectFrom('answer').selectAll().where('question_id', '=', questionId).executeTakeFirstOrThrow();
    expect(row.user_id).toBe(e.user.id);
  });

  it('returns the legacy shape and queues e-mail 5 with the review link', async () => {
    const { questionId, reviewToken } = await askQuickConsult(t, e);
    const res = await answer(questionId, e, {
      attachments: [{ url: 'https://f.example/a.pdf', filename: 'a.pdf', size: 10, type: 'application/pdf', uid: 'u1' }],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      question_id: questionId,
      payment_captured: true,
      created_answer: { text_response: 'My answer', user_id: e.user.id },
    });
    expect(body.created_answer.attachments).toEqual([
      { name: 'a.pdf', url: 'https://f.example/a.pdf', size: 10, type: 'application/pdf', uid: 'u1' },
    ]);
    expect(body.question).toMatchObject({ id: questionId, status: 'closed' });
    expect(body.question).not.toHaveProperty('playback_token_hash');
    const mail = await t.database.db
      .selectFrom('email_outbox')
      .selectAll()
      .where('dedupe_key', '=', `question-answered:${questionId}`)
      .executeTakeFirstOrThrow();
    expect(mail.to_address).toBe('asker@example.test');
    expect(mail.text_body).toContain(`/r/${reviewToken}`);
  });

  it('/api/answers/create answers {success, data}', async () => {
    const { questionId } = await askQuickConsult(t, e);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/answers/create',
      headers: await auth(e),
      payload: { question_id: questionId, user_id: e.user.id, text_response: null, media_asset_id: null, attachments: null },
    });
    expect([res.statusCode, res.json().code]).toEqual([400, 'answer_empty']);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/answers/create',
      headers: await auth(e),
      payload: { question_id: questionId, text_response: 'Hi' },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ success: true, payment_captured: true, data: { question_id: questionId, text_response: 'Hi' } });
  });

  // Xano answered these with 400 (the X path /answer keeps it); the V path answers 409.
  describe('only payable-and-answerable questions: 400 (X) / 409 (V) and nothing changes', () => {
    const refused = async (questionId: number, code: string, answers = 0) => {
      const before = await lifecycle(t, questionId);
      const res = await answer(questionId);
      expect([res.statusCode, res.json().code]).toEqual([400, code]);
      const v = await t.app.inject({
        method: 'POST',
        url: '/api/answers/create',
        headers: await auth(e),
        payload: { question_id: questionId, text_response: 'My answer' },
      });
      expect([v.statusCode, v.json().code]).toEqual([409, code]);
      expect(await lifecycle(t, questionId)).toEqual(before);
      expect((await t.database.db.selectFrom('answer').select('id').where('question_id', '=', questionId).execute()).length).toBe(answers);
    };

    it('a pending offer', async () => refused((await askDeepDive(t, e, 20000)).questionId, 'offer_not_accepted'));

    it('a declined offer and an auto-declined offer', async () => {
      const { questionId } = await askDeepDive(t, e, 20000);
      await t.app.inject({ method: 'POST', url: `/offers/${questionId}/decline`, headers: await auth(e), payload: {} });
      await refused(questionId, 'question_declined');
      const low = await expertWithToken(t, { tier2_auto_decline_below_cents: 50000 });
      const auto = (await askDeepDive(t, low, 20000)).questionId;
      const res = await answer(auto, low);
      expect([res.statusCode, res.json().code]).toEqual([400, 'question_declined']);
    });

    it('a refunded question', async () => {
      const { questionId } = await askQuickConsult(t, e);
      await t.app.inject({ method: 'POST', url: `/question/${questionId}/refund`, headers: await auth(e), payload: {} });
      await refused(questionId, 'question_refunded');
    });

    it('a question past its SLA deadline (before the SLA job ran)', async () => {
      const { questionId } = await askQuickConsult(t, e);
      t.clock.advance(24 * HOUR + 1000);
      await refused(questionId, 'sla_expired');
    });

    it('an answered question (a second answer)', async () => {
      const { questionId } = await askQuickConsult(t, e);
      expect((await answer(questionId)).statusCode).toBe(200);
      await refused(questionId, 'already_answered', 1);
    });
  });

  it('validation and auth: 401, unknown fields 400 on V and ignored on X, bad ids 400, 404 unknown question', async () => {
    const { questionId } = await askQuickConsult(t, e);
    expect(
      (await t.app.inject({ method: 'POST', url: '/answer', payload: { question_id: questionId, text_response: 'x' } })).statusCode,
    ).toBe(401);
    const strict = await t.app.inject({
      method: 'POST',
      url: '/api/answers/create',
      headers: await auth(e),
      payload: { question_id: questionId, text_response: 'x', rating: 5 },
    });
    expect(strict.statusCode).toBe(400);
    const extra = await t.app.inject({
      method: 'POST',
      url: '/answer',
      headers: await auth(e),
      payload: { question_id: questionId, text_response: 'x', rating: 5, view_count: 99 },
    });
    expect(extra.statusCode).toBe(200);
    const row = await t.database.db.selectFrom('answer').selectAll().where('question_id', '=', questionId).executeTakeFirstOrThrow();
    expect([row.rating, row.view_count]).toEqual([null, 0]);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/answer',
      headers: await auth(e),
      payload: { question_id: 'abc', text_response: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    expect((await answer(999999)).statusCode).toBe(404);
    expect((await answer(questionId, e, { text_response: '   ' })).json().code).toBe('answer_empty');
  });

  it('a failed capture keeps the answer and records a retry; the retry job captures exactly once', async () => {
    const { questionId } = await askQuickConsult(t, e);
    const real = t.ctx.payments;
    let calls = 0;
    const down: PaymentProvider = {
      ...real,
      capture: async () => {
        calls++;
        throw new PaymentProviderError('connection reset', 'api_connection_error', true);
      },
    };
    t.ctx.payments = down;
    try {
      const res = await answer(questionId);
      expect(res.statusCode).toBe(200);
      expect(res.json().payment_captured).toBe(false);
    } finally {
      t.ctx.payments = real;
    }
    expect(calls).toBe(1);
    const { question, payment, intent } = await states(t, questionId);
    expect(question.status).toBe('closed');
    expect(payment).toMatchObject({
      status: 'authorized',
      pending_action: 'capture',
      capture_attempted: true,
      capture_failed: true,
      retry_count: 1,
    });
    expect(payment.error_message).toContain('connection reset');
    // action_due_at records the decision; the payment-action job waits 60 s before its first retry.
    expect(payment.action_due_at?.getTime()).toBe(t.clock.now.getTime());
    expect(intent.status).toBe('requires_capture');
    const jobs = (await jobsOf(t.ctx, 'payment-action')).filter((j) => (j.data as { paymentId: number }).paymentId === payment.id);
    expect(jobs).toMatchObject([{ state: 'created', data: { paymentId: payment.id, action: 'capture' } }]);
    expect(await runDuePaymentActions(t.ctx)).toMatchObject({ due: 0 });
    // Jobs of payments the request already settled run too, as nothing_to_do.
    await makeJobsDue(t.ctx, 'payment-action');
    expect(await runDuePaymentActions(t.ctx)).toMatchObject({ done: 1, retry_scheduled: 0, abandoned: 0 });
    expect(await lifecycle(t, questionId)).toMatchObject({
      status: 'closed',
      payment: 'captured',
      pending_action: null,
      intent: 'succeeded',
    });
    expect(await runDuePaymentActions(t.ctx)).toMatchObject({ due: 0 });
  });

  it('a hold that is gone at the provider marks the payment failed instead of retrying forever', async () => {
    const { questionId, intentId } = await askQuickConsult(t, e);
    await t.database.db.updateTable('simulated_payment_intent').set({ status: 'canceled' }).where('id', '=', intentId).execute();
    const res = await answer(questionId);
    expect(res.json().payment_captured).toBe(false);
    const { payment } = await states(t, questionId);
    expect(payment).toMatchObject({ status: 'failed', pending_action: null, capture_failed: true });
    expect(payment.error_message).toMatch(/status of canceled/);
  });

  describe('POST /payment/capture', () => {
    it('is idempotent on a captured payment and owner-only', async () => {
      const { questionId } = await askQuickConsult(t, e);
      await answer(questionId);
      const res = await t.app.inject({
        method: 'POST',
        url: '/payment/capture',
        headers: await auth(e),
        payload: { question_id: questionId },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ success: true, payment_status: 'captured', already_captured: true });
      expect(
        (await t.app.inject({ method: 'POST', url: '/payment/capture', headers: await auth(other), payload: { question_id: questionId } }))
          .statusCode,
      ).toBe(403);
      expect((await t.app.inject({ method: 'POST', url: '/payment/capture', payload: { question_id: questionId } })).statusCode).toBe(401);
      expect(
        (await t.app.inject({ method: 'POST', url: '/payment/capture', headers: await auth(e), payload: { question_id: 999999 } }))
          .statusCode,
      ).toBe(404);
    });

    it('refuses to capture an unanswered question', async () => {
      const { questionId } = await askQuickConsult(t, e);
      const before = await lifecycle(t, questionId);
      const res = await t.app.inject({
        method: 'POST',
        url: '/payment/capture',
        headers: await auth(e),
        payload: { question_id: questionId },
      });
      expect([res.statusCode, res.json().code]).toEqual([400, 'not_answered']);
      expect(await lifecycle(t, questionId)).toEqual(before);
    });

    it('captures a pending retry right away', async () => {
      const { questionId } = await askQuickConsult(t, e);
      const real = t.ctx.payments;
      t.ctx.payments = { ...real, capture: async () => Promise.reject(new PaymentProviderError('timeout', 'api_error', true)) };
      await answer(questionId).finally(() => {
        t.ctx.payments = real;
      });
      const res = await t.app.inject({
        method: 'POST',
        url: '/payment/capture',
        headers: await auth(e),
        payload: { question_id: questionId },
      });
      expect(res.json()).toMatchObject({ success: true, payment_status: 'captured', already_captured: false });
      expect(await lifecycle(t, questionId)).toMatchObject({ payment: 'captured', intent: 'succeeded', pending_action: null });
    });
  });

  describe('GET /answer?question_id', () => {
    it('gives the owner the answer and its recording with metadata as an object', async () => {
      const media = await t.database.db
        .insertInto('media_asset')
        .values({
          provider: 'cloudflare_stream',
          asset_id: 'ans-1',
          status: 'ready',
          metadata: JSON.stringify({ type: 'multi-segment', segments: [] }),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const { questionId } = await askQuickConsult(t, e);
      const none = await t.app.inject({ method: 'GET', url: `/answer?question_id=${questionId}`, headers: await auth(e) });
      expect(none.json()).toEqual({ answer: null, media_asset: null });
      await answer(questionId, e, { media_asset_id: media.id, text_response: null });
      const res = await t.app.inject({ method: 'GET', url: `/answer?question_id=${questionId}`, headers: await auth(e) });
      expect(res.statusCode).toBe(200);
      expect(res.json().answer).toMatchObject({ question_id: questionId, media_asset_id: media.id, text_response: null, rating: null });
      expect(res.json().media_asset).toMatchObject({ id: media.id, metadata: { type: 'multi-segment', segments: [] } });
    });

    it('is refused to others (403), without token (401), for unknown questions (404)', async () => {
      const { questionId } = await askQuickConsult(t, e);
      expect((await t.app.inject({ method: 'GET', url: `/answer?question_id=${questionId}`, headers: await auth(other) })).statusCode).toBe(
        403,
      );
      expect((await t.app.inject({ method: 'GET', url: `/answer?question_id=${questionId}` })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'GET', url: '/answer?question_id=999999', headers: await auth(e) })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/answer', headers: await auth(e) })).statusCode).toBe(400);
    });
  });
});
