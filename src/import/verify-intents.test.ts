/**
 * `import verify` with PAYMENTS=stripe: the imported holds against their live intents, through
 * the real Stripe adapter and SDK talking to the local Stripe API stub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { XanoStub } from '../../scripts/xano-stub.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { type StripeStub, type StubIntent, startStripeStub } from '../../test/stripe-stub.ts';
import { importFrom, sourceFor, stub } from './test-helpers.ts';
import { verifyImport } from './verify.ts';

describe('import verify: held intents at Stripe', { timeout: 120_000 }, () => {
  let t: TestApp;
  let s: XanoStub;
  let stripe: StripeStub;
  let held: { id: number; stripe_payment_intent_id: string; amount_cents: number }[];
  beforeAll(async () => {
    stripe = await startStripeStub();
    t = await createTestApp({
      PAYMENTS: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_stub',
      STRIPE_WEBHOOK_SECRET: 'whsec_test',
      STRIPE_API_URL: stripe.url,
    });
    s = await stub();
    await importFrom(t.ctx.db, s);
    held = await t.ctx.db
      .selectFrom('payment')
      .select(['id', 'stripe_payment_intent_id', 'amount_cents'])
      .where('status', 'in', ['authorized', 'accepted'])
      .orderBy('id')
      .execute();
  });
  afterAll(async () => {
    await s.close();
    await t.close();
    await stripe.close();
  });

  const holdAtStripe = (p: (typeof held)[number], over: Partial<StubIntent> = {}) =>
    stripe.intents.set(p.stripe_payment_intent_id, {
      id: p.stripe_payment_intent_id,
      object: 'payment_intent',
      amount: p.amount_cents,
      amount_received: 0,
      currency: 'usd',
      status: 'requires_capture',
      capture_method: 'manual',
      client_secret: `${p.stripe_payment_intent_id}_secret`,
      description: null,
      metadata: {},
      cancellation_reason: null,
      latest_charge: null,
      ...over,
    });

  it('reports the imported holds Stripe does not hold, or holds for another amount, and exits on mismatch', async () => {
    expect(held.length).toBeGreaterThanOrEqual(4);
    const [unknown, captured, otherAmount, ...good] = held as [(typeof held)[number], (typeof held)[number], (typeof held)[number]];
    for (const p of good) holdAtStripe(p);
    holdAtStripe(captured, { status: 'succeeded', amount_received: captured.amount_cents });
    holdAtStripe(otherAmount, { amount: otherAmount.amount_cents + 100 });
    const before = stripe.requests.length;
    const report = await verifyImport(t.ctx.db, sourceFor(s), { perPage: 25, payments: t.ctx.payments });
    expect(report.tables.every((x) => x.ok)).toBe(true);
    expect(report.intents).toMatchObject({
      skipped: null,
      checked: held.length,
      notFound: 1,
      wrongState: 1,
      wrongAmount: 1,
      errors: 0,
      ok: false,
    });
    expect(report.intents.examples).toEqual(
      expect.arrayContaining([
        `payment ${unknown.id} (${unknown.stripe_payment_intent_id}): Stripe does not know this intent`,
        `payment ${captured.id} (${captured.stripe_payment_intent_id}): held here, succeeded at Stripe`,
      ]),
    );
    expect(report.ok).toBe(false);
    // Only reads: one GET per hold, nothing captured, released or changed at Stripe.
    const calls = stripe.requests.slice(before);
    expect(calls.map((c) => c.method)).toEqual(held.map(() => 'GET'));
    expect(stripe.intents.get(captured.stripe_payment_intent_id)?.status).toBe('succeeded');
  });

  it('is clean once Stripe holds every imported hold; an outage is counted, not taken for a match', async () => {
    for (const p of held) holdAtStripe(p);
    const clean = await verifyImport(t.ctx.db, sourceFor(s), { perPage: 25, payments: t.ctx.payments });
    expect(clean.intents).toMatchObject({ checked: held.length, notFound: 0, wrongState: 0, wrongAmount: 0, errors: 0, ok: true });
    expect(clean.ok).toBe(true);
    // An outage longer than the SDK's two retries: every lookup fails, and none counts as a match.
    stripe.failNext(3 * held.length);
    const outage = await verifyImport(t.ctx.db, sourceFor(s), { perPage: 25, payments: t.ctx.payments });
    expect(outage.intents).toMatchObject({ checked: held.length, errors: held.length, ok: false });
    expect(outage.ok).toBe(false);
  });

  it('without a live provider the intents are skipped, with the reason', async () => {
    const report = await verifyImport(t.ctx.db, sourceFor(s), { perPage: 25 });
    expect(report.intents).toMatchObject({ skipped: expect.stringContaining('not stripe'), checked: 0, ok: true });
  });
});
