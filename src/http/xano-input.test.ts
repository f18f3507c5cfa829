import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import {
  askDeepDive,
  askQuickConsult,
  type ExpertWithToken,
  expertWithToken,
  holdFor,
  lifecycle,
  questionBody,
  states,
  xanoQuestionBody,
} from '../../test/question-helpers.ts';

describe('Xano inputs on the X paths, Vercel shapes on the V paths (one schema per operation)', () => {
  let t: TestApp;
  let e: ExpertWithToken;
  beforeAll(async () => {
    t = await createTestApp();
    e = await expertWithToken(t);
  });
  afterAll(() => t.close());
  const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload, headers });

  it('creates a question from the Xano input names; ignores and never writes unknown fields; 200', async () => {
    const intent = await holdFor(t, 5000);
    const res = await post('/api:BQW1GS7L/question/quick-consult', {
      ...xanoQuestionBody(e.profile.id, intent, { payer_email: 'Mixed@Example.TEST', payer_first_name: 'Zoë', payer_last_name: 'Q' }),
      status: 'closed',
      price_cents: 1,
      playback_token_hash: 'chosen',
      payerEmail: 'ignored@example.test',
    });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json()).sort()).toEqual([
      'final_price_cents',
      'playback_token_hash',
      'question_id',
      'review_token',
      'sla_deadline',
      'status',
    ]);
    const { question } = await states(t, res.json().question_id);
    expect(question).toMatchObject({
      payer_email: 'mixed@example.test',
      payer_first_name: 'Zoë',
      payer_last_name: 'Q',
      status: 'paid',
      price_cents: 5000,
      expert_profile_id: e.profile.id,
    });
    expect(question.playback_token_hash).not.toBe('chosen');
  });

  it('requires the Xano names on X (payer_email), the Vercel names on V (payerEmail)', async () => {
    const intent = await holdFor(t, 5000);
    const { payer_email: _, ...noEmail } = xanoQuestionBody(e.profile.id, intent);
    const x = await post('/question/quick-consult', noEmail);
    expect([x.statusCode, x.json().message]).toEqual([400, expect.stringContaining('payer_email')]);
    const v = await post('/api/questions/quick-consult', xanoQuestionBody(e.profile.id, intent));
    expect(v.statusCode).toBe(400);
    expect(await t.database.db.selectFrom('payment').select('id').where('stripe_payment_intent_id', '=', intent).execute()).toEqual([]);
  });

  it('a reused payment intent: 400 on X (Xano), 409 on V; the Deep Dive X path takes the Xano names too', async () => {
    const asked = await askQuickConsult(t, e);
    const x = await post('/question/quick-consult', xanoQuestionBody(e.profile.id, asked.intentId));
    expect([x.statusCode, x.json().code]).toEqual([400, 'payment_intent_already_used']);
    const v = await post('/api/questions/quick-consult', questionBody(e.profile.handle as string, asked.intentId));
    expect([v.statusCode, v.json().code]).toEqual([409, 'payment_intent_already_used']);
    const dd = await post('/question/deep-dive', {
      ...xanoQuestionBody(e.profile.id, await holdFor(t, 20000), { payer_first_name: 'Dee' }),
      proposed_price_cents: 20000,
      asker_message: 'Two pages',
    });
    expect(dd.statusCode).toBe(200);
    expect((await states(t, dd.json().question_id)).question).toMatchObject({ payer_first_name: 'Dee', asker_message: 'Two pages' });
  });

  it('V paths keep their strictness: an unknown field is 400', async () => {
    const res = await post('/api/questions/quick-consult', {
      ...questionBody(e.profile.handle as string, await holdFor(t, 5000)),
      status: 'x',
    });
    expect([res.statusCode, res.json().code]).toEqual([400, 'validation_failed']);
  });

  it('a body field repeating a path parameter: accepted when equal, 400 when different (and nothing changes)', async () => {
    const offer = await askDeepDive(t, e, 20000);
    const before = await lifecycle(t, offer.questionId);
    const wrong = await post(`/offers/${offer.questionId}/decline`, { id: offer.questionId + 1000, decline_reason: 'no' }, e.auth);
    expect([wrong.statusCode, wrong.json().code]).toEqual([400, 'path_parameter_mismatch']);
    expect((await post(`/offers/${offer.questionId}/accept`, { id: 'other' }, e.auth)).statusCode).toBe(400);
    expect(await lifecycle(t, offer.questionId)).toEqual(before);
    const ok = await post(`/offers/${offer.questionId}/decline`, { id: offer.questionId, decline_reason: 'no', extra: 1 }, e.auth);
    expect(ok.statusCode).toBe(200);
    expect((await lifecycle(t, offer.questionId)).status).toBe('declined');

    const q = await askQuickConsult(t, e);
    expect((await post(`/question/${q.questionId}/refund`, { question_id: q.questionId + 1 }, e.auth)).statusCode).toBe(400);
    expect((await lifecycle(t, q.questionId)).status).toBe('paid');
    expect(
      (await post(`/question/${q.questionId}/refund`, { question_id: String(q.questionId), refund_reason: 'x' }, e.auth)).statusCode,
    ).toBe(200);
    expect((await lifecycle(t, q.questionId)).status).toBe('refunded');
  });

  it('review feedback takes the Xano `token` input when it equals the path', async () => {
    const q = await askQuickConsult(t, e);
    await post('/answer', { question_id: q.questionId, text_response: 'Answer' }, e.auth);
    const other = await post(`/review/${q.reviewToken}/feedback`, { token: 'someone-else', rating: 5 });
    expect([other.statusCode, other.json().code]).toEqual([400, 'path_parameter_mismatch']);
    const ok = await post(`/review/${q.reviewToken}/feedback`, { token: q.reviewToken, rating: 4, feedback_text: 'Good', answer_id: 1 });
    expect(ok.statusCode).toBe(200);
    const row = await t.database.db.selectFrom('answer').selectAll().where('question_id', '=', q.questionId).executeTakeFirstOrThrow();
    expect([row.rating, row.feedback_text]).toEqual([4, 'Good']);
    const again = await post(`/review/${q.reviewToken}/feedback`, { rating: 5 });
    expect([again.statusCode, again.json().code]).toEqual([400, 'already_rated']);
  });

  it('documents the X spelling: /docs/json shows payer_email on X, payerEmail on V', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const bodyOf = (path: string) => doc.paths[path].post.requestBody.content['application/json'].schema;
    expect(Object.keys(bodyOf('/question/quick-consult').properties)).toContain('payer_email');
    expect(bodyOf('/question/quick-consult').required).toContain('payer_email');
    expect(bodyOf('/question/quick-consult').additionalProperties).toBe(true);
    expect(Object.keys(bodyOf('/api/questions/quick-consult').properties)).toContain('payerEmail');
    expect(bodyOf('/api/questions/quick-consult').additionalProperties).toBe(false);
  });
});
