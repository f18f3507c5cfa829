/**
 * The Stripe adapter through the real `stripe` SDK against a local stub of the Stripe API,
 * end to end through the routes: hold, verification, capture, release, outage, webhooks.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { makeJobsDue } from '../../test/jobs.ts';
import { type ExpertWithToken, expertWithToken, questionBody } from '../../test/question-helpers.ts';
import { type StripeStub, startStripeStub } from '../../test/stripe-stub.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { runDuePaymentActions } from './actions.ts';

const WEBHOOK_SECRET = 'whsec_test_secret';

describe('PAYMENTS=stripe (against a local Stripe API stub)', () => {
  let t: TestApp;
  let stub: StripeStub;
  let e: ExpertWithToken;
  let ip = 0;
  beforeAll(async () => {
    stub = await startStripeStub();
    t = await createTestApp({
      PAYMENTS: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_stub',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: stub.url,
    });
    e = await expertWithToken(t);
  });
  afterAll(async () => {
    await t.close();
    await stub.close();
  });

  const createIntent = async (amount: number, tierType = 'quick_consult') => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/payments/create-intent',
      remoteAddress: `10.5.0.${++ip}`,
      payload: {
        amount,
        currency: 'usd',
        expertHandle: e.profile.handle,
        tierType,
        captureMethod: 'manual',
        metadata: { question_title: 'T' },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { paymentIntentId: string; clientSecret: string; isMock: boolean };
  };
  const ask = (intentId: string, over: Record<string, unknown> = {}, tier = 'quick-consult') =>
    t.app.inject({ method: 'POST', url: `/api/questions/${tier}`, payload: questionBody(e.profile.handle as string, intentId, over) });

  it('create-intent makes a manual-capture PaymentIntent at Stripe and tells the browser to use Stripe.js', async () => {
    const body = await createIntent(5000);
    expect(body.isMock).toBe(false);
    expect(body.clientSecret).toBe(`${body.paymentIntentId}_secret_stub`);
    const pi = stub.intents.get(body.paymentIntentId);
    expect(pi).toMatchObject({ amount: 5000, currency: 'usd', capture_method: 'manual', status: 'requires_payment_method' });
    expect(pi?.metadata).toMatchObject({ expert_handle: e.profile.handle, tier_type: 'quick_consult', question_title: 'T' });
    expect(stub.requests.at(-1)?.auth).toBe('Bearer sk_test_stub');
  });

  it('creates the question only once the card is held, then captures on answer', async () => {
    const { paymentIntentId } = await createIntent(5000);
    const early = await ask(paymentIntentId);
    expect([early.statusCode, early.json().code]).toEqual([422, 'payment_not_authorized']);
    stub.confirm(paymentIntentId);
    const res = await ask(paymentIntentId);
    expect(res.statusCode).toBe(201);
    const questionId = res.json().data.questionId;
    expect(stub.intents.get(paymentIntentId)).toMatchObject({
      description: `Question #${questionId} - QC`,
      metadata: expect.objectContaining({ question_id: String(questionId) }),
    });
    const answer = await t.app.inject({
      method: 'POST',
      url: '/answer',
      headers: e.auth,
      payload: { question_id: questionId, text_response: 'Done' },
    });
    expect(answer.json().payment_captured).toBe(true);
    expect(stub.intents.get(paymentIntentId)).toMatchObject({ status: 'succeeded', amount_received: 5000 });
    const capture = stub.requests.find((r) => r.path.endsWith(`${paymentIntentId}/capture`));
    expect(capture?.idempotencyKey).toMatch(/^capture-payment-\d+$/);
    const payment = await t.database.db.selectFrom('payment').selectAll().where('question_id', '=', questionId).executeTakeFirstOrThrow();
    expect(payment.status).toBe('captured');
  });

  it('refuses legacy test ids, unknown intents and a wrong amount', async () => {
    expect((await ask(`pi_test_${Date.now()}`)).json().code).toBe('payment_intent_not_found');
    expect((await ask('pi_doesnotexist')).json().code).toBe('payment_intent_not_found');
    const { paymentIntentId } = await createIntent(20000, 'deep_dive');
    stub.confirm(paymentIntentId);
    const wrong = await ask(paymentIntentId, { proposed_price_cents: 25000 }, 'deep-dive');
    expect([wrong.statusCode, wrong.json().code]).toEqual([422, 'payment_amount_mismatch']);
  });

  it('declining a Deep Dive cancels the PaymentIntent', async () => {
    const { paymentIntentId } = await createIntent(20000, 'deep_dive');
    stub.confirm(paymentIntentId);
    const res = await ask(paymentIntentId, { proposed_price_cents: 20000 }, 'deep-dive');
    const questionId = res.json().data.questionId;
    const decline = await t.app.inject({ method: 'POST', url: `/offers/${questionId}/decline`, headers: e.auth, payload: {} });
    expect(decline.json().payment_canceled).toBe(true);
    expect(stub.intents.get(paymentIntentId)?.status).toBe('canceled');
  });

  it('a Stripe outage during capture schedules a retry that later captures once', async () => {
    const { paymentIntentId } = await createIntent(5000);
    stub.confirm(paymentIntentId);
    const questionId = (await ask(paymentIntentId)).json().data.questionId;
    stub.failNext(10);
    const answer = await t.app.inject({
      method: 'POST',
      url: '/answer',
      headers: e.auth,
      payload: { question_id: questionId, text_response: 'Done' },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json().payment_captured).toBe(false);
    let payment = await t.database.db.selectFrom('payment').selectAll().where('question_id', '=', questionId).executeTakeFirstOrThrow();
    expect(payment).toMatchObject({ status: 'authorized', pending_action: 'capture', retry_count: 1 });
    expect(stub.intents.get(paymentIntentId)?.status).toBe('requires_capture');
    stub.failNext(0);
    await makeJobsDue(t.ctx, 'payment-action');
    expect(await runDuePaymentActions(t.ctx)).toMatchObject({ done: 1 });
    payment = await t.database.db.selectFrom('payment').selectAll().where('question_id', '=', questionId).executeTakeFirstOrThrow();
    expect(payment).toMatchObject({ status: 'captured', pending_action: null });
    expect(stub.intents.get(paymentIntentId)).toMatchObject({ status: 'succeeded', amount_received: 5000 });
  }, 30_000);

  describe('POST /api/webhooks/stripe', () => {
    const stripe = new Stripe('sk_test_stub');
    const send = (payload: string, signature?: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/webhooks/stripe',
        headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
        payload,
      });
    const event = (type: string, intent: object) =>
      JSON.stringify({ id: `evt_${Date.now()}`, object: 'event', type, data: { object: intent } });

    it('settles a pending capture that Stripe confirms', async () => {
      const { paymentIntentId } = await createIntent(5000);
      stub.confirm(paymentIntentId);
      const questionId = (await ask(paymentIntentId)).json().data.questionId;
      stub.failNext(10);
      await t.app.inject({ method: 'POST', url: '/answer', headers: e.auth, payload: { question_id: questionId, text_response: 'Done' } });
      stub.failNext(0);
      const pi = { ...stub.intents.get(paymentIntentId), status: 'succeeded' };
      const payload = event('payment_intent.succeeded', pi);
      const res = await send(payload, stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ received: true, applied: true });
      const payment = await t.database.db.selectFrom('payment').selectAll().where('question_id', '=', questionId).executeTakeFirstOrThrow();
      expect(payment).toMatchObject({ status: 'captured', pending_action: null });
    }, 30_000);

    it('refuses a missing or wrong signature with 400', async () => {
      const payload = event('payment_intent.succeeded', { id: 'pi_x', object: 'payment_intent', status: 'succeeded' });
      expect((await send(payload)).json().code).toBe('signature_missing');
      const forged = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_wrong' });
      const res = await send(payload, forged);
      expect([res.statusCode, res.json().code]).toEqual([400, 'signature_invalid']);
    });

    it('acknowledges events it has nothing to do with', async () => {
      const payload = event('payment_intent.created', { id: 'pi_unknown', object: 'payment_intent', status: 'requires_payment_method' });
      const res = await send(payload, stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }));
      expect(res.json()).toEqual({ received: true, applied: false });
    });
  });
});

describe('payments configuration', () => {
  it('requires the Stripe secrets with PAYMENTS=stripe and rejects unknown providers', () => {
    const base = { JWT_SECRET: 'x'.repeat(40), DATA_DIR: '/tmp/qc-test-unused' };
    expect(() => loadConfig({ ...base, PAYMENTS: 'stripe' })).toThrow(/STRIPE_SECRET_KEY is required/);
    expect(() => loadConfig({ ...base, PAYMENTS: 'stripe', STRIPE_SECRET_KEY: 'sk' })).toThrow(/STRIPE_WEBHOOK_SECRET is required/);
    expect(() => loadConfig({ ...base, PAYMENTS: 'paypal' })).toThrow(ConfigError);
    expect(loadConfig(base).payments).toEqual({ provider: 'simulated' });
    expect(
      loadConfig({
        ...base,
        PAYMENTS: 'stripe',
        STRIPE_SECRET_KEY: 'sk',
        STRIPE_WEBHOOK_SECRET: 'wh',
        STRIPE_API_URL: 'http://127.0.0.1:12111',
      }).payments,
    ).toEqual({
      provider: 'stripe',
      secretKey: 'sk',
      webhookSecret: 'wh',
      apiUrl: { protocol: 'http', host: '127.0.0.1', port: 12111 },
    });
  });

  it('the webhook route answers 404 in simulated mode', async () => {
    const t = await createTestApp();
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/webhooks/stripe',
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
      expect([res.statusCode, res.json().code]).toEqual([404, 'webhooks_disabled']);
    } finally {
      await t.close();
    }
  });
});
