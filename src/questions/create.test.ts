import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { askQuickConsult, expertWithToken, holdFor, questionBody, states, xanoQuestionBody } from '../../test/question-helpers.ts';
import { hashReviewToken } from './review-token.ts';

describe('POST /api/payments/create-intent', () => {
  let t: TestApp;
  let ip = 0;
  const from = () => `10.1.0.${++ip}`;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates a held simulated intent for the Quick Consult price and says the browser is in mock mode', async () => {
    const e = await expertWithToken(t);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/payments/create-intent',
      remoteAddress: from(),
      payload: {
        amount: 5000,
        currency: 'usd',
        description: 'Quick Consult',
        metadata: { expert_handle: e.profile.handle, tier_type: 'quick_consult', question_title: 'Pricing' },
        captureMethod: 'manual',
        expertHandle: e.profile.handle,
        tierType: 'quick_consult',
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ success: true, amount: 5000, currency: 'usd', isMock: true });
    expect(body.paymentIntentId).toMatch(/^pi_sim_[0-9a-f]{24}$/);
    expect(body.clientSecret).toMatch(new RegExp(`^${body.paymentIntentId}_secret_`));
    const row = await t.database.db
      .selectFrom('simulated_payment_intent')
      .selectAll()
      .where('id', '=', body.paymentIntentId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'requires_capture', amount_cents: 5000, capture_method: 'manual' });
    expect(row.metadata).toMatchObject({
      expert_handle: e.profile.handle,
      expert_profile_id: String(e.profile.id),
      tier_type: 'quick_consult',
    });
  });

  it('rounds a float Deep Dive amount (the client sends dollars × 100)', async () => {
    const e = await expertWithToken(t);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/payments/create-intent',
      remoteAddress: from(),
      payload: { amount: 19999.999999, currency: 'usd', expertHandle: e.profile.handle, tierType: 'deep_dive' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().amount).toBe(20000);
  });

  it.each([
    [{ amount: 49 }, 400, 'amount_too_small'],
    [{ amount: 4000 }, 400, 'amount_mismatch'],
    [{ currency: 'eur' }, 400, 'unsupported_currency'],
    [{ tierType: 'premium' }, 400, 'invalid_tier_type'],
    [{ expertHandle: 'nobody-here' }, 404, 'expert_not_found'],
    [{ surprise: 1 }, 400, 'validation_failed'],
  ])('refuses %j with %i %s', async (over, status, code) => {
    const e = await expertWithToken(t);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/payments/create-intent',
      remoteAddress: from(),
      payload: { amount: 5000, currency: 'usd', expertHandle: e.profile.handle, tierType: 'quick_consult', ...over },
    });
    expect(res.statusCode).toBe(status);
    expect(res.json().code).toBe(code);
  });

  it('refuses when the expert is not accepting questions or the tier is off', async () => {
    const e = await expertWithToken(t, { tier2_enabled: false });
    const dd = await t.app.inject({
      method: 'POST',
      url: '/api/payments/create-intent',
      remoteAddress: from(),
      payload: { amount: 5000, expertHandle: e.profile.handle, tierType: 'deep_dive' },
    });
    expect([dd.statusCode, dd.json().code]).toEqual([409, 'tier_disabled']);
    await t.database.db.updateTable('expert_profile').set({ accepting_questions: false }).where('id', '=', e.profile.id).execute();
    const qc = await t.app.inject({
      method: 'POST',
      url: '/api/payments/create-intent',
      remoteAddress: from(),
      payload: { amount: 5000, expertHandle: e.profile.handle, tierType: 'quick_consult' },
    });
    expect([qc.statusCode, qc.json().code]).toEqual([409, 'expert_not_accepting']);
  });

  it('limits each IP to 10 intents a minute', async () => {
    const e = await expertWithToken(t);
    const payload = { amount: 5000, expertHandle: e.profile.handle, tierType: 'quick_consult' };
    const codes: number[] = [];
    for (let i = 0; i < 11; i++)
      codes.push(
        (await t.app.inject({ method: 'POST', url: '/api/payments/create-intent', remoteAddress: '10.9.9.9', payload })).statusCode,
      );
    expect(codes.slice(0, 10).every((c) => c === 200)).toBe(true);
    expect(codes[10]).toBe(429);
  });
});

describe('question creation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates a Quick Consult, returns the review token once and stores only its hash', async () => {
    const e = await expertWithToken(t);
    const intentId = await holdFor(t, 5000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/question/quick-consult',
      payload: xanoQuestionBody(e.profile.id, intentId),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      question_id: expect.any(Number),
      final_price_cents: 5000,
      sla_deadline: t.clock.now.getTime() + 24 * 3600_000,
      status: 'paid',
      review_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      playback_token_hash: body.review_token,
    });
    const { question, payment, intent } = await states(t, body.question_id);
    expect(question.playback_token_hash).toBe(hashReviewToken(body.review_token));
    expect(question).toMatchObject({
      title: 'How do I price my consulting?',
      payer_email: 'asker@example.test',
      payment_intent_id: intentId,
    });
    expect(question.attachments).toEqual([
      { name: 'brief.pdf', url: 'https://files.example/brief.pdf', size: 1200, type: 'application/pdf' },
    ]);
    expect(payment).toMatchObject({
      stripe_payment_intent_id: intentId,
      amount_cents: 5000,
      status: 'authorized',
      question_type: 'quick_consult',
    });
    expect(intent.description).toBe(`Question #${body.question_id} - QC`);
    expect(intent.metadata).toMatchObject({ question_id: String(body.question_id), question_type: 'quick_consult' });
  });

  it('queues e-mail 3 to the expert and e-mail 4 (with the review link) to the asker', async () => {
    const e = await expertWithToken(t);
    const { questionId, reviewToken } = await askQuickConsult(t, e);
    const mails = await t.database.db
      .selectFrom('email_outbox')
      .selectAll()
      .where('dedupe_key', 'like', `question-%:${questionId}`)
      .execute();
    const byTemplate = Object.fromEntries(mails.map((m) => [m.template, m]));
    expect(byTemplate['new-question']?.to_address).toBe(e.user.email);
    expect(byTemplate['new-question']?.subject).toBe('New paid question: How do I price my consulting?');
    expect(byTemplate['question-submitted']?.to_address).toBe('asker@example.test');
    expect(byTemplate['question-submitted']?.text_body).toContain(`/r/${reviewToken}`);
  });

  it('accepts a documented pi_test_ id in simulated mode as a hold of the question amount', async () => {
    const e = await expertWithToken(t);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/questions/quick-consult',
      payload: questionBody(e.profile.handle as string, `pi_test_${Date.now()}`),
    });
    expect(res.statusCode).toBe(201);
    const { intent, payment } = await states(t, res.json().data.questionId);
    expect([intent.status, intent.amount_cents, payment.status]).toEqual(['requires_capture', 5000, 'authorized']);
  });

  it('refuses a made-up pi_mock_ id in simulated mode: no question, no hold, no payment', async () => {
    const e = await expertWithToken(t);
    const id = `pi_mock_${Date.now()}_abc`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/questions/quick-consult',
      payload: questionBody(e.profile.handle as string, id),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('payment_intent_not_found');
    const db = t.database.db;
    expect(await db.selectFrom('simulated_payment_intent').select('id').where('id', '=', id).execute()).toEqual([]);
    expect(await db.selectFrom('payment').select('id').where('stripe_payment_intent_id', '=', id).execute()).toEqual([]);
    expect(await db.selectFrom('question').select('id').where('payment_intent_id', '=', id).execute()).toEqual([]);
  });

  it('a failure after the hold was verified (NUL in a field, missing recording) creates nothing and leaves the hold as it was', async () => {
    const e = await expertWithToken(t);
    const handle = e.profile.handle as string;
    const intentId = await holdFor(t, 5000);
    const questions = async () => (await t.database.db.selectFrom('question').select('id').execute()).length;
    const before = await questions();
    const post = (over: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api/questions/quick-consult', payload: questionBody(handle, intentId, over) });
    const nul = await post({ title: 'How do I\u0000price?' });
    expect([nul.statusCode, nul.json().code]).toEqual([400, 'validation_failed']);
    const missing = await post({ media_asset_id: 987_654 });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'media_asset_not_found']);
    expect(await questions()).toBe(before);
    expect(await t.database.db.selectFrom('payment').select('id').where('stripe_payment_intent_id', '=', intentId).execute()).toEqual([]);
    const intent = await t.database.db
      .selectFrom('simulated_payment_intent')
      .select('status')
      .where('id', '=', intentId)
      .executeTakeFirstOrThrow();
    expect(intent.status).toBe('requires_capture');
    // The asker's hold is still theirs: the corrected question goes through with it.
    expect((await post({})).statusCode).toBe(201);
  });

  it('refuses a reused payment intent with 409 and creates nothing', async () => {
    const e = await expertWithToken(t);
    const { intentId } = await askQuickConsult(t, e);
    const count = async () =>
      (
        await t.database.db
          .selectFrom('question')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/questions/quick-consult',
      payload: questionBody(e.profile.handle as string, intentId),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('payment_intent_already_used');
    expect(await count()).toBe(before);
  });

  it('verifies the hold: unknown, not authorized, captured, wrong amount', async () => {
    const e = await expertWithToken(t);
    const handle = e.profile.handle as string;
    const post = (id: string) => t.app.inject({ method: 'POST', url: '/api/questions/quick-consult', payload: questionBody(handle, id) });
    expect((await post('pi_sim_doesnotexist')).json().code).toBe('payment_intent_not_found');
    const wrong = await holdFor(t, 4900);
    const r1 = await post(wrong);
    expect([r1.statusCode, r1.json().code]).toEqual([422, 'payment_amount_mismatch']);
    const unconfirmed = await holdFor(t, 5000);
    await t.database.db
      .updateTable('simulated_payment_intent')
      .set({ status: 'requires_payment_method' })
      .where('id', '=', unconfirmed)
      .execute();
    expect((await post(unconfirmed)).json().code).toBe('payment_not_authorized');
    const captured = await holdFor(t, 5000);
    await t.ctx.payments.capture(captured, 'k');
    expect((await post(captured)).json().code).toBe('payment_not_authorized');
  });

  it('checks the expert: unknown expert 404; not accepting, tier disabled 400 on the X path (Xano answered 400)', async () => {
    const e = await expertWithToken(t, { tier2_enabled: false });
    const intentId = await holdFor(t, 5000);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/question/quick-consult',
      payload: xanoQuestionBody(999999, intentId),
    });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'expert_not_found']);
    const dd = await t.app.inject({
      method: 'POST',
      url: '/question/deep-dive',
      payload: { ...xanoQuestionBody(e.profile.id, intentId), proposed_price_cents: 5000 },
    });
    expect([dd.statusCode, dd.json().code]).toEqual([400, 'tier_disabled']);
    await t.database.db.updateTable('expert_profile').set({ accepting_questions: false }).where('id', '=', e.profile.id).execute();
    const qc = await t.app.inject({
      method: 'POST',
      url: '/question/quick-consult',
      payload: xanoQuestionBody(e.profile.id, intentId),
    });
    expect([qc.statusCode, qc.json().code]).toEqual([400, 'expert_not_accepting']);
    expect((await t.database.db.selectFrom('payment').select('id').where('stripe_payment_intent_id', '=', intentId).execute()).length).toBe(
      0,
    );
  });

  it('validates the body: required fields, e-mail, unknown fields, intent id shape', async () => {
    const e = await expertWithToken(t);
    const base = questionBody(e.profile.handle as string, 'pi_sim_x');
    for (const bad of [
      { ...base, title: '' },
      { ...base, payerEmail: 'not-an-email' },
      { ...base, stripe_payment_intent_id: 'ch_123' },
      { ...base, is_admin: true },
      { ...base, title: undefined },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/questions/quick-consult', payload: bad });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().code).toBe('validation_failed');
    }
    const dd = await t.app.inject({ method: 'POST', url: '/api/questions/deep-dive', payload: base });
    expect(dd.statusCode).toBe(400);
    expect(dd.json().message).toContain('proposed_price_cents');
  });

  it('links an existing recording, refuses a missing one or one attached elsewhere', async () => {
    const e = await expertWithToken(t);
    const media = await t.database.db
      .insertInto('media_asset')
      .values({ provider: 'cloudflare_stream', asset_id: 'uid-1', status: 'ready', url: 'https://v.example/uid-1' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ok = await askQuickConsult(t, e, { media_asset_id: media.id });
    expect((await states(t, ok.questionId)).question.media_asset_id).toBe(media.id);
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/questions/quick-consult',
      payload: questionBody(e.profile.handle as string, await holdFor(t, 5000), { media_asset_id: media.id }),
    });
    expect([again.statusCode, again.json().code]).toEqual([409, 'media_asset_in_use']);
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/questions/quick-consult',
      payload: questionBody(e.profile.handle as string, await holdFor(t, 5000), { media_asset_id: 999999 }),
    });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'media_asset_not_found']);
  });

  it('creates a Deep Dive at the proposed price (X shape) with its offer window', async () => {
    const e = await expertWithToken(t);
    const intentId = await holdFor(t, 12345);
    const res = await t.app.inject({
      method: 'POST',
      url: '/question/deep-dive',
      payload: { ...xanoQuestionBody(e.profile.id, intentId), proposed_price_cents: 12345.0001, asker_message: 'Please' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      question_id: expect.any(Number),
      proposed_price_cents: 12345,
      status: 'offer_pending',
      offer_expires_at: t.clock.now.getTime() + 24 * 3600_000,
      review_token: expect.any(String),
      playback_token_hash: res.json().review_token,
    });
    const { question, intent } = await states(t, res.json().question_id);
    expect(question).toMatchObject({ price_cents: 12345, final_price_cents: 12345, proposed_price_cents: 12345, asker_message: 'Please' });
    expect(intent.description).toBe(`Question #${question.id} - DD`);
  });
});
