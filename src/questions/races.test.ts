/**
 * Concurrent requests on one question or one payment intent end with one consistent outcome.
 * PGlite serialises everything on one connection, so these run on the PostgreSQL leg only
 * (TEST_DATABASE_URL), where the requests really interleave on separate connections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { isPostgres } from '../../test/db.ts';
import {
  askDeepDive,
  askQuickConsult,
  type ExpertWithToken,
  expertWithToken,
  holdFor,
  lifecycle,
  questionBody,
  states,
} from '../../test/question-helpers.ts';
import { runPaymentAction } from '../payments/actions.ts';

const N = 8;

describe.runIf(isPostgres())('races on PostgreSQL', () => {
  let t: TestApp;
  let e: ExpertWithToken;
  beforeAll(async () => {
    t = await createTestApp();
    e = await expertWithToken(t);
  });
  afterAll(() => t.close());

  const all = <T>(n: number, f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));
  const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: e.auth, payload: payload as object });

  it('one payment intent sent by concurrent requests creates exactly one question', async () => {
    const intentId = await holdFor(t, 5000);
    const res = await all(N, () =>
      t.app.inject({ method: 'POST', url: '/api/questions/quick-consult', payload: questionBody(e.profile.handle as string, intentId) }),
    );
    const codes = res.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(N - 1);
    const payments = await t.database.db
      .selectFrom('payment')
      .select('question_id')
      .where('stripe_payment_intent_id', '=', intentId)
      .execute();
    expect(payments).toHaveLength(1);
    const questions = await t.database.db.selectFrom('question').select('id').where('payment_intent_id', '=', intentId).execute();
    expect(questions.map((q) => q.id)).toEqual([payments[0]?.question_id]);
  });

  it('two answers: one answer, one capture', async () => {
    const { questionId } = await askQuickConsult(t, e);
    const res = await all(N, (i) => post('/answer', { question_id: questionId, text_response: `answer ${i}` }));
    // X path: 200 for the answer, 400 (as Xano) for the refused ones.
    expect(res.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(res.filter((r) => r.statusCode === 400).map((r) => r.json().code)).toEqual(Array(N - 1).fill('already_answered'));
    expect(await t.database.db.selectFrom('answer').select('id').where('question_id', '=', questionId).execute()).toHaveLength(1);
    expect(await lifecycle(t, questionId)).toEqual({
      status: 'closed',
      pricing_status: 'paid',
      payment: 'captured',
      pending_action: null,
      intent: 'succeeded',
    });
    const mails = await t.database.db
      .selectFrom('email_outbox')
      .select('id')
      .where('dedupe_key', '=', `question-answered:${questionId}`)
      .execute();
    expect(mails).toHaveLength(1);
  });

  it('two accepts: one succeeds, the offer is accepted once', async () => {
    const { questionId } = await askDeepDive(t, e, 20000);
    const res = await all(N, () => post(`/offers/${questionId}/accept`, {}));
    expect(res.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(res.filter((r) => r.statusCode === 400)).toHaveLength(N - 1);
    expect(await lifecycle(t, questionId)).toMatchObject({
      pricing_status: 'offer_accepted',
      payment: 'accepted',
      intent: 'requires_capture',
    });
  });

  it('accept against decline: exactly one wins and the payment agrees with it', async () => {
    for (let round = 0; round < 5; round++) {
      // A fresh expert each round: offer actions are limited to 10 a minute per expert.
      const x = await expertWithToken(t);
      const { questionId } = await askDeepDive(t, x, 20000);
      const res = await all(2, (i) =>
        t.app.inject({ method: 'POST', url: `/offers/${questionId}/${i === 0 ? 'accept' : 'decline'}`, headers: x.auth, payload: {} }),
      );
      expect(res.map((r) => r.statusCode).sort()).toEqual([200, 400]);
      const state = await lifecycle(t, questionId);
      if (res[0]?.statusCode === 200) {
        expect(state).toEqual({
          status: 'paid',
          pricing_status: 'offer_accepted',
          payment: 'accepted',
          pending_action: null,
          intent: 'requires_capture',
        });
      } else {
        expect(state).toEqual({
          status: 'declined',
          pricing_status: 'offer_declined',
          payment: 'refunded',
          pending_action: null,
          intent: 'canceled',
        });
      }
    }
  });

  it('double capture (capture route, retry job and answer flow at once): captured once', async () => {
    const { questionId } = await askQuickConsult(t, e);
    const real = t.ctx.payments;
    // Leave the capture pending after the answer, then fire every capture path at once.
    t.ctx.payments = { ...real, capture: () => Promise.reject(Object.assign(new Error('down'), { retryable: true })) };
    await post('/answer', { question_id: questionId, text_response: 'answer' }).finally(() => {
      t.ctx.payments = real;
    });
    const { payment } = await states(t, questionId);
    expect(payment.pending_action).toBe('capture');
    const res = await Promise.all([
      ...Array.from({ length: 4 }, () => post('/payment/capture', { question_id: questionId })),
      ...Array.from({ length: 4 }, () => runPaymentAction(t.ctx, payment.id)),
    ]);
    for (const r of res.slice(0, 4) as { statusCode: number }[]) expect(r.statusCode).toBe(200);
    const after = await states(t, questionId);
    expect(after.payment).toMatchObject({ status: 'captured', pending_action: null });
    expect(after.intent).toMatchObject({ status: 'succeeded', amount_received: 5000 });
  });

  it('refund against answer: one wins, never answered-and-released nor refunded-and-captured', async () => {
    for (let round = 0; round < 5; round++) {
      // A fresh expert each round: refunds are limited to 5 a minute per expert.
      const x = await expertWithToken(t);
      const { questionId } = await askQuickConsult(t, x);
      const as = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: x.auth, payload: payload as object });
      const res = await Promise.all([
        as('/answer', { question_id: questionId, text_response: 'x' }),
        as(`/question/${questionId}/refund`, {}),
      ]);
      const state = await lifecycle(t, questionId);
      if (res[0]?.statusCode === 200) {
        expect(res[1]?.statusCode).toBe(400);
        expect(state).toMatchObject({ status: 'closed', payment: 'captured', intent: 'succeeded' });
      } else {
        expect(res[1]?.statusCode).toBe(200);
        expect(state).toMatchObject({ status: 'refunded', payment: 'refunded', intent: 'canceled' });
      }
    }
  });
});
