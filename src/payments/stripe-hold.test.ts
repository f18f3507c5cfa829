/**
 * Hold deadlines with PAYMENTS=stripe, against the local Stripe stub: capture_before read from the
 * expanded latest_charge, and an expired hold arriving as a signed webhook (both event kinds).
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { type ExpertWithToken, expertWithToken, questionBody } from '../../test/question-helpers.ts';
import { type StripeStub, startStripeStub } from '../../test/stripe-stub.ts';

const SECRET = 'whsec_hold_secret';
const HOUR_S = 3600;
const KEY = 'internal-key-internal-key-0123456789';

describe('hold deadlines with PAYMENTS=stripe', () => {
  let t: TestApp;
  let stub: StripeStub;
  let e: ExpertWithToken;
  let ip = 0;
  const stripe = new Stripe('sk_test_stub');
  beforeAll(async () => {
    stub = await startStripeStub();
    t = await createTestApp({
      PAYMENTS: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_stub',
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_API_URL: stub.url,
      INTERNAL_API_KEY: KEY,
    });
    e = await expertWithToken(t);
  });
  afterAll(async () => {
    await t.close();
    await stub.close();
  });

  const nowS = () => Math.floor(t.clock.now.getTime() / 1000);
  /** A held Quick Consult whose card hold ends `holdHours` after the test clock's now. */
  async function ask(holdHours: number) {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/payments/create-intent',
      remoteAddress: `10.7.0.${++ip}`,
      payload: { amount: 5000, currency: 'usd', expertHandle: e.profile.handle, tierType: 'quick_consult', captureMethod: 'manual' },
    });
    const intentId = created.json().paymentIntentId as string;
    stub.confirm(intentId, nowS() + holdHours * HOUR_S);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/questions/quick-consult',
      payload: questionBody(e.profile.handle as string, intentId),
    });
    expect(res.statusCode, res.body).toBe(201);
    return { intentId, questionId: res.json().data.questionId as number };
  }
  const rows = async (questionId: number) => ({
    question: await t.ctx.db.selectFrom('question').selectAll().where('id', '=', questionId).executeTakeFirstOrThrow(),
    payment: await t.ctx.db.selectFrom('payment').selectAll().where('question_id', '=', questionId).executeTakeFirstOrThrow(),
  });
  const send = (type: string, object: object, id = `evt_${++ip}`) => {
    const payload = JSON.stringify({ id, object: 'event', type, data: { object } });
    return t.app.inject({
      method: 'POST',
      url: '/api/webhooks/stripe',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }),
      },
      payload,
    });
  };

  it("stores the card's capture_before and flags a hold shorter than the SLA", async () => {
    const long = await ask(168);
    const { payment } = await rows(long.questionId);
    expect(payment.capture_before?.getTime()).toBe((nowS() + 168 * HOUR_S) * 1000);
    expect(payment.hold_short).toBe(false);
    expect(stub.requests.some((r) => r.method === 'GET' && r.path.endsWith(long.intentId))).toBe(true);
    const short = await ask(12);
    expect((await rows(short.questionId)).payment).toMatchObject({ hold_short: true, status: 'authorized' });
  });

  it('payment_intent.canceled with cancellation_reason automatic expires the question once', async () => {
    const { intentId, questionId } = await ask(168);
    const pi = { ...stub.intents.get(intentId), status: 'canceled', cancellation_reason: 'automatic' };
    const res = await send('payment_intent.canceled', pi);
    expect([res.statusCode, res.json()]).toEqual([200, { received: true, applied: true }]);
    const after = await rows(questionId);
    expect(after.question.status).toBe('hold_expired');
    expect(after.payment).toMatchObject({ status: 'failed', pending_action: null });
    const mails = await t.ctx.db.selectFrom('email_outbox').selectAll().where('dedupe_key', '=', `hold-expired:${questionId}`).execute();
    expect(mails).toHaveLength(1);
    t.clock.advance(60_000);
    expect((await send('payment_intent.canceled', pi)).json()).toEqual({ received: true, applied: false });
    expect(await rows(questionId)).toEqual(after);
  });

  it('a redelivery of the same event id is answered at once and changes nothing (processed_event)', async () => {
    const { intentId, questionId } = await ask(168);
    const pi = { ...stub.intents.get(intentId), status: 'canceled', cancellation_reason: 'automatic' };
    const first = await send('payment_intent.canceled', pi, 'evt_redelivered');
    expect(first.json()).toEqual({ received: true, applied: true });
    // Put the rows back by hand: a second handling would expire them again, a skipped one does not.
    await t.ctx.db.updateTable('question').set({ status: 'paid' }).where('id', '=', questionId).execute();
    await t.ctx.db.updateTable('payment').set({ status: 'authorized' }).where('question_id', '=', questionId).execute();
    const before = await rows(questionId);
    const again = await send('payment_intent.canceled', pi, 'evt_redelivered');
    expect([again.statusCode, again.json()]).toEqual([200, { received: true, applied: false }]);
    expect(await rows(questionId)).toEqual(before);
    const recorded = await t.ctx.db.selectFrom('processed_event').selectAll().where('event_id', '=', 'evt_redelivered').execute();
    expect(recorded).toMatchObject([{ provider: 'stripe', type: 'payment_intent.canceled', applied: true }]);
  });

  it('a cancellation we asked for is not a hold expiry', async () => {
    const { intentId, questionId } = await ask(168);
    const pi = { ...stub.intents.get(intentId), status: 'canceled', cancellation_reason: 'requested_by_customer' };
    expect((await send('payment_intent.canceled', pi)).json()).toEqual({ received: true, applied: false });
    expect((await rows(questionId)).question.status).toBe('paid');
  });

  it('charge.expired expires the question of its payment_intent', async () => {
    const { intentId, questionId } = await ask(168);
    const charge = stub.charges.get(stub.intents.get(intentId)?.latest_charge as string);
    const res = await send('charge.expired', { ...charge, status: 'failed' });
    expect(res.json()).toEqual({ received: true, applied: true });
    expect(await rows(questionId)).toMatchObject({ question: { status: 'hold_expired' }, payment: { status: 'failed' } });
  });

  it('the simulate route answers 404 with PAYMENTS=stripe', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/payments/simulate/hold-expired',
      payload: { question_id: 1, x_api_key: KEY },
    });
    expect([res.statusCode, res.json().code]).toEqual([404, 'simulation_disabled']);
  });
});
