/**
 * The legacy security suite (`tests/security-validation.cjs`, legacy-backend.md §6): its 13 suites
 * and 23 checks, sent as it sent them — to the Xano paths with their group prefixes, snake_case
 * bodies, fresh `pi_test_<ts>` intents and `x_api_key` — then the test-data cleanup it ends with.
 * Where the legacy suite accepted "403 or 404" as blocked, so does this one; nothing is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './app.ts';
import { type ExpertWithToken, expertWithToken, xanoQuestionBody } from './question-helpers.ts';

const AUTH = '/api:3B14WLbJ';
const PUB = '/api:BQW1GS7L';
const KEY = 'legacy-suite-internal-key-0123456789';
const BLOCKED = [403, 404];

describe('legacy security suite (§6): 23 checks against the X paths', () => {
  let t: TestApp;
  let a: ExpertWithToken;
  let b: ExpertWithToken;
  let seq = 0;
  const pi = () => `pi_test_${Date.now()}${++seq}`;
  const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload, headers });
  const ask = (expert: ExpertWithToken, intent: string) =>
    post(`${PUB}/question/quick-consult`, xanoQuestionBody(expert.profile.id, intent, { payer_email: 'suite-asker@example.test' }));
  const askDD = (expert: ExpertWithToken, intent: string) =>
    post(`${PUB}/question/deep-dive`, {
      ...xanoQuestionBody(expert.profile.id, intent, { payer_email: 'suite-asker@example.test' }),
      proposed_price_cents: 20000,
      asker_message: 'Worth it?',
    });
  let qc: { question_id: number; playback_token_hash: string; intent: string };

  beforeAll(async () => {
    t = await createTestApp({ INTERNAL_API_KEY: KEY });
    a = await expertWithToken(t);
    b = await expertWithToken(t);
    const intent = pi();
    const res = await ask(a, intent);
    expect(res.statusCode).toBe(200);
    qc = { ...res.json(), intent };
  });
  afterAll(async () => {
    // The suite's last step: its own data goes, through the internal cleanup.
    const res = await t.app.inject({ method: 'DELETE', url: `${PUB}/internal/test-data/cleanup?x_api_key=${KEY}` });
    expect(res.statusCode).toBe(200);
    const left = await t.database.db
      .selectFrom('payment')
      .select('id')
      .where('stripe_payment_intent_id', 'like', 'pi\\_test\\_%')
      .execute();
    expect(left).toEqual([]);
    await t.close();
  });

  describe('1. PATCH /question/{id}', () => {
    it('1a no auth → 401/403', async () => {
      const res = await t.app.inject({ method: 'PATCH', url: `${AUTH}/question/${qc.question_id}`, payload: { status: 'paid' } });
      expect([401, 403]).toContain(res.statusCode);
    });
    it('1b the owner updates it', async () => {
      const res = await t.app.inject({
        method: 'PATCH',
        url: `${AUTH}/question/${qc.question_id}`,
        headers: a.auth,
        payload: { id: qc.question_id, status: 'paid' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().id).toBe(qc.question_id);
    });
    it('1c the response hides the review token', async () => {
      const res = await t.app.inject({
        method: 'PATCH',
        url: `${AUTH}/question/${qc.question_id}`,
        headers: a.auth,
        payload: { status: 'paid' },
      });
      expect(res.body).not.toContain(qc.playback_token_hash);
      expect(res.json().playback_token_hash).toBeUndefined();
    });
  });

  it('2. PATCH by another expert is blocked', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: `${AUTH}/question/${qc.question_id}`,
      headers: b.auth,
      payload: { status: 'paid' },
    });
    expect(BLOCKED).toContain(res.statusCode);
  });

  it('3. POST /answer by another expert (with its own user_id) is blocked', async () => {
    const res = await post(`${AUTH}/answer`, { question_id: qc.question_id, user_id: b.user.id, text_response: 'Not mine' }, b.auth);
    expect(BLOCKED).toContain(res.statusCode);
    expect(await t.database.db.selectFrom('answer').select('id').where('question_id', '=', qc.question_id).execute()).toEqual([]);
  });

  describe('4. Quick Consult', () => {
    it('4a a reused payment intent → 400', async () => {
      const res = await ask(a, qc.intent);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('payment_intent_already_used');
    });
    it('4b a new payment intent → OK', async () => {
      expect((await ask(a, pi())).statusCode).toBe(200);
    });
    it('4c the response returns the review token to the asker', () => {
      expect(qc.playback_token_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });
  });

  it('5. Deep Dive: a reused payment intent → 400', async () => {
    const intent = pi();
    expect((await askDD(a, intent)).statusCode).toBe(200);
    const again = await askDD(a, intent);
    expect([again.statusCode, again.json().code]).toEqual([400, 'payment_intent_already_used']);
  });

  describe('6. Feedback', () => {
    it('6a an invalid token → 404', async () => {
      const res = await post(`${PUB}/review/not-a-real-token-0000/feedback`, { token: 'not-a-real-token-0000', rating: 5 });
      expect(res.statusCode).toBe(404);
    });
    it('6b rating 10 → 400', async () => {
      const res = await post(`${PUB}/review/${qc.playback_token_hash}/feedback`, { token: qc.playback_token_hash, rating: 10 });
      expect(res.statusCode).toBe(400);
    });
  });

  it('7. GET /review/{token} returns the data, token included', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${PUB}/review/${qc.playback_token_hash}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: qc.question_id, playback_token_hash: qc.playback_token_hash });
  });

  describe('8–11. cross-expert actions are blocked', () => {
    let offerId: number;
    beforeAll(async () => {
      offerId = (await askDD(a, pi())).json().question_id;
    });
    it('8. offer accept', async () => {
      expect(BLOCKED).toContain((await post(`${AUTH}/offers/${offerId}/accept`, { id: offerId }, b.auth)).statusCode);
    });
    it('9. offer decline', async () => {
      expect(BLOCKED).toContain((await post(`${AUTH}/offers/${offerId}/decline`, { id: offerId, decline_reason: 'x' }, b.auth)).statusCode);
    });
    it('10. payment capture', async () => {
      expect(BLOCKED).toContain((await post(`${AUTH}/payment/capture`, { question_id: qc.question_id }, b.auth)).statusCode);
    });
    it('11. refund', async () => {
      expect(BLOCKED).toContain(
        (await post(`${AUTH}/question/${qc.question_id}/refund`, { question_id: qc.question_id }, b.auth)).statusCode,
      );
      const q = await t.database.db.selectFrom('question').select('status').where('id', '=', offerId).executeTakeFirstOrThrow();
      expect(q.status).toBe('paid');
    });
  });

  describe('12. GET /answer', () => {
    let answered: number;
    beforeAll(async () => {
      answered = (await ask(a, pi())).json().question_id;
      const res = await post(`${AUTH}/answer`, { question_id: answered, user_id: a.user.id, text_response: 'Here it is' }, a.auth);
      expect(res.statusCode).toBe(200);
    });
    it('12a no auth is rejected', async () => {
      expect((await t.app.inject({ method: 'GET', url: `${AUTH}/answer?question_id=${answered}` })).statusCode).toBe(401);
    });
    it('12b the owner gets the answer', async () => {
      const res = await t.app.inject({ method: 'GET', url: `${AUTH}/answer?question_id=${answered}`, headers: a.auth });
      expect(res.statusCode).toBe(200);
      expect(res.json().answer.text_response).toBe('Here it is');
    });
    it('12c media_asset_id is present', async () => {
      const res = await t.app.inject({ method: 'GET', url: `${AUTH}/answer?question_id=${answered}`, headers: a.auth });
      expect(res.json().answer).toHaveProperty('media_asset_id');
    });
  });

  describe('13. the digest endpoint', () => {
    const digest = (query: string) => t.app.inject({ method: 'GET', url: `${PUB}/internal/digest/pending-questions${query}` });
    it('13a a missing key is rejected', async () => {
      expect((await digest('')).statusCode).toBe(401);
    });
    it('13b a wrong key is rejected', async () => {
      expect((await digest('?x_api_key=wrong-key-wrong-key-wrong-key')).statusCode).toBe(401);
    });
    it('13c a valid key is accepted', async () => {
      expect((await digest(`?x_api_key=${KEY}`)).statusCode).toBe(200);
    });
    it('13d it returns an array', async () => {
      const body = (await digest(`?x_api_key=${KEY}`)).json();
      expect(Array.isArray(body)).toBe(true);
      expect(body.map((x: { question: { id: number } }) => x.question.id)).toContain(qc.question_id);
    });
  });
});
