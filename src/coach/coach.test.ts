import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { bearer, createExpert, tokenFor } from '../../test/factories.ts';
import { holdFor, questionBody } from '../../test/question-helpers.ts';
import { codeFromOutbox, hex } from '../account/test-helpers.ts';
import { collectSubject, findResidue } from '../privacy/residue.ts';
import { runRetention } from '../privacy/retention.ts';

const FP_LIMIT = 3;
const IP_LIMIT = 5;
let t: TestApp;
let seq = 0;
const freshIp = () => `10.7.${++seq >> 8}.${seq & 255}`;
const freshFp = () => `fp_${hex()}${++seq}`;
beforeAll(async () => {
  t = await createTestApp({ COACH_LIMIT_PER_FINGERPRINT_PER_DAY: String(FP_LIMIT), COACH_LIMIT_PER_IP_PER_DAY: String(IP_LIMIT) });
});
afterAll(() => t?.close());

const post = (path: string, payload: unknown, remoteAddress = freshIp()) =>
  t.app.inject({ method: 'POST', url: `/api/ai/coach/${path}`, payload: payload as object, remoteAddress });
const sessions = () => t.database.db.selectFrom('question_coaching_sessions').selectAll().orderBy('id').execute();
const counters = () =>
  t.database.db.selectFrom('coaching_rate_limits').select(['scope', 'key_hash', 'requests']).orderBy('key_hash').execute();
/** The erasure's own confirmation e-mail may hold the address until it is delivered. */
const confirmationIds = async (to: string) =>
  (
    await t.database.db
      .selectFrom('email_outbox')
      .select('id')
      .where('to_address', '=', to)
      .where('template', 'in', ['account-deleted', 'asker-erased'])
      .execute()
  ).map((r) => r.id);
const errorShape = { error: expect.any(String), message: expect.any(String), code: expect.any(String) };

/** A Quick Consult asked through the route from `ip` (the address the link matches). */
async function askFrom(e: Awaited<ReturnType<typeof createExpert>>, ip: string, over: Record<string, unknown> = {}) {
  const intentId = await holdFor(t, e.profile.tier1_price_cents);
  const payload = questionBody(e.profile.handle as string, intentId, over);
  const res = await t.app.inject({ method: 'POST', url: '/api/questions/quick-consult', payload, remoteAddress: ip });
  expect(res.statusCode).toBe(201);
  return { questionId: res.json().data.questionId as number };
}

async function validated(expertId: number | null, title = 'How should I price my consulting for 3 clients?', ip = freshIp()) {
  const res = await post('quick-validate', { title, fingerprint: freshFp(), expertId }, ip);
  expect(res.statusCode).toBe(200);
  return res.json().sessionId as string;
}

describe('POST /api/ai/coach/quick-validate', () => {
  it('answers what the ask page reads and opens a session with hashed identifiers', async () => {
    const e = await createExpert(t.database.db);
    const res = await post('quick-validate', { title: 'Hi, can you check this?', fingerprint: 'fp_abc123', expertId: e.profile.id });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.sessionId).toMatch(/^cs_[A-Za-z0-9_-]{32}$/);
    expect(body.validation.clarityScore).toEqual(expect.any(Number));
    expect(body.feedback.length).toBeGreaterThan(0);
    for (const f of body.feedback)
      expect(f).toEqual({
        type: expect.any(String),
        severity: expect.any(String),
        message: expect.any(String),
        suggestion: expect.any(String),
      });
    expect(body).toMatchObject({ shouldContinue: false, canProceedWithoutCoaching: true });
    const row = (await sessions()).find((s) => s.session_key === body.sessionId);
    expect(row).toMatchObject({
      expert_profile_id: e.profile.id,
      title: 'Hi, can you check this?',
      tier_reached: 1,
      provider: 'rules',
      question_id: null,
    });
    expect(row?.fingerprint_hash).toMatch(/^f1_/);
    expect(row?.fingerprint_hash).not.toContain('abc123');
    expect(row?.ip_hash).toMatch(/^h1_/);
    expect(row?.validation).toMatchObject({ clarityScore: body.validation.clarityScore });
  });

  it.each([
    ['no title', { fingerprint: 'fp_1' }],
    ['no fingerprint', { title: 'How do I hire?' }],
    ['an empty title', { title: '', fingerprint: 'fp_1' }],
    ['a blank title', { title: '   ', fingerprint: 'fp_1' }],
    ['an oversized title', { title: 'x'.repeat(501), fingerprint: 'fp_1' }],
    ['an oversized fingerprint', { title: 'How do I hire?', fingerprint: 'f'.repeat(201) }],
    ['a non-numeric expertId', { title: 'How do I hire?', fingerprint: 'fp_1', expertId: 'ada' }],
    ['an unknown field', { title: 'How do I hire?', fingerprint: 'fp_1', transcript: 'x' }],
  ])('answers 400 in the error shape for %s, and writes nothing', async (_name, payload) => {
    const [before, limits] = [await sessions(), await counters()];
    const res = await post('quick-validate', payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(errorShape);
    expect(await sessions()).toEqual(before);
    expect(await counters()).toEqual(limits);
  });

  it('answers 404 for an expert id that does not exist, and writes nothing', async () => {
    const before = await sessions();
    const res = await post('quick-validate', { title: 'How do I hire?', fingerprint: 'fp_1', expertId: 99_999_999 });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'expert_not_found' });
    expect(await sessions()).toEqual(before);
  });
});

describe('daily limits', () => {
  it('refuses a device over its daily limit with 429 and retryAfter until UTC midnight, from any address', async () => {
    const fingerprint = freshFp();
    for (let i = 0; i < FP_LIMIT; i++)
      expect((await post('quick-validate', { title: 'How do I hire?', fingerprint })).statusCode).toBe(200);
    const before = [await sessions(), await counters()];
    const res = await post('quick-validate', { title: 'How do I hire?', fingerprint });
    expect(res.statusCode).toBe(429);
    // The test clock is 10:00 UTC: 14 hours to the next day.
    expect(res.json()).toEqual({ ...errorShape, code: 'coach_daily_limit', retryAfter: 14 * 3600 });
    expect(res.headers['retry-after']).toBe(String(14 * 3600));
    expect([await sessions(), await counters()]).toEqual(before);
    expect((await post('quick-validate', { title: 'How do I hire?', fingerprint: freshFp() })).statusCode).toBe(200);
  });

  it('refuses an address over its daily limit whatever the fingerprint; the other counter is not charged', async () => {
    const ip = freshIp();
    for (let i = 0; i < IP_LIMIT; i++) {
      expect((await post('quick-validate', { title: 'How do I hire?', fingerprint: freshFp() }, ip)).statusCode).toBe(200);
    }
    const fingerprint = freshFp();
    const res = await post('quick-validate', { title: 'How do I hire?', fingerprint }, ip);
    expect(res.statusCode).toBe(429);
    expect(res.json().retryAfter).toBe(14 * 3600);
    // The refused request's fingerprint unit was rolled back with it: the device can still use its whole quota elsewhere.
    for (let i = 0; i < FP_LIMIT; i++)
      expect((await post('quick-validate', { title: 'How do I hire?', fingerprint })).statusCode).toBe(200);
  });

  it('counts step 2 against the session’s device and resets the next UTC day', async () => {
    const fingerprint = freshFp();
    const first = await post('quick-validate', { title: 'How do I hire?', fingerprint });
    const sessionId = first.json().sessionId;
    const analyse = () =>
      post('analyze-and-guide', { sessionId, expertProfile: { name: 'Ada' }, questionContext: { title: 'How do I hire?' } });
    for (let i = 1; i < FP_LIMIT; i++) expect((await analyse()).statusCode).toBe(200);
    expect((await analyse()).statusCode).toBe(429);
    t.clock.advance(14 * 3600_000);
    try {
      expect((await analyse()).statusCode).toBe(200);
    } finally {
      t.clock.advance(10 * 3600_000); // back to 10:00 (a day later) for the other tests
    }
  });
});

describe('POST /api/ai/coach/analyze-and-guide', () => {
  it('analyses with the expert of the session, stores the analysis and the details', async () => {
    const e = await createExpert(t.database.db);
    const sessionId = await validated(e.profile.id, 'Pricing');
    const res = await post('analyze-and-guide', {
      sessionId,
      expertProfile: { ...e.profile, name: 'Shown Name', tiers: [{ price_cents: 1 }], user: { name: 'x' } },
      questionContext: { title: 'How should I price my website redesign?', text: 'A 5-page site for a dentist.', recordings: [] },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['analysis', 'attachmentSuggestions', 'clarifications']);
    expect(body.analysis).toEqual({ clarity: expect.any(Number), summary: expect.any(String), missingContext: expect.any(Array) });
    expect(body.analysis.summary).toContain('Expert Person'); // the account's name, not what the client sent
    for (const c of body.clarifications)
      expect(c).toEqual({
        id: expect.stringMatching(/^c\d$/),
        question: expect.any(String),
        why: expect.any(String),
        optional: expect.any(Boolean),
      });
    expect(body.attachmentSuggestions).toContain('A link to the page, or a screenshot of it');
    const row = (await sessions()).find((s) => s.session_key === sessionId);
    expect(row).toMatchObject({
      title: 'How should I price my website redesign?',
      question_text: 'A 5-page site for a dentist.',
      tier_reached: 2,
      provider: 'rules',
    });
    expect(row?.analysis).toEqual(body);
  });

  it('uses the session title when the client sends no context', async () => {
    const sessionId = await validated(null, 'Should I move my shop to Shopify?');
    const res = await post('analyze-and-guide', { sessionId, expertProfile: { name: 'Bo' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().analysis.summary).toBe('You are asking Bo to help you decide: "Should I move my shop to Shopify?".');
  });

  it.each([
    ['no sessionId', { expertProfile: {} }],
    ['no expertProfile', { sessionId: 'cs_x' }],
    ['an oversized text', { sessionId: 'cs_x', expertProfile: {}, questionContext: { text: 'x'.repeat(20_001) } }],
    ['an oversized sessionId', { sessionId: 'c'.repeat(101), expertProfile: {} }],
  ])('answers 400 for %s', async (_n, payload) => {
    const res = await post('analyze-and-guide', payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(errorShape);
  });

  it('answers 404 for an unknown session and charges no counter', async () => {
    const before = await counters();
    const res = await post('analyze-and-guide', { sessionId: 'cs_nope', expertProfile: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'coaching_session_not_found' });
    expect(await counters()).toEqual(before);
  });
});

describe('POST /api/ai/coach/save-responses', () => {
  it('stores the answers by clarification id', async () => {
    const sessionId = await validated(null, 'website help');
    await post('analyze-and-guide', { sessionId, expertProfile: { name: 'Ada' } });
    const res = await post('save-responses', { sessionId, responses: { c1: ' I run a bakery ', c3: '' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true });
    expect((await sessions()).find((s) => s.session_key === sessionId)?.responses).toEqual({ c1: 'I run a bakery' });
  });

  it('refuses answers before the analysis, to unknown questions, and oversized ones, changing nothing', async () => {
    const sessionId = await validated(null, 'website help');
    const early = await post('save-responses', { sessionId, responses: { c1: 'x' } });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'coaching_not_analyzed' });
    await post('analyze-and-guide', { sessionId, expertProfile: { name: 'Ada' } });
    const before = await sessions();
    const unknown = await post('save-responses', { sessionId, responses: { c9: 'x' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'unknown_clarification' });
    const big = await post('save-responses', { sessionId, responses: { c1: 'x'.repeat(2001) } });
    expect(big.statusCode).toBe(400);
    expect((await post('save-responses', { sessionId })).statusCode).toBe(400);
    expect((await post('save-responses', { sessionId: 'cs_nope', responses: {} })).statusCode).toBe(404);
    expect(await sessions()).toEqual(before);
  });
});

describe('the session and the question that follows it', () => {
  it('links the newest open session of the expert from the same address; later coaching calls answer 409', async () => {
    const e = await createExpert(t.database.db);
    const other = await createExpert(t.database.db);
    const ip = freshIp();
    const older = await validated(e.profile.id, 'First draft of my question', ip);
    const newer = await validated(e.profile.id, 'How do I price my consulting?', ip);
    const foreign = await validated(other.profile.id, 'Another expert', ip);
    const elsewhere = await validated(e.profile.id, 'Same expert, another address');
    const asked = await askFrom(e, ip);
    const rows = new Map((await sessions()).map((s) => [s.session_key, s]));
    expect(rows.get(newer)).toMatchObject({ question_id: asked.questionId, linked_at: t.ctx.now() });
    for (const k of [older, foreign, elsewhere]) expect(rows.get(k)?.question_id).toBeNull();
    const closed = await post('analyze-and-guide', { sessionId: newer, expertProfile: {} });
    expect(closed.statusCode).toBe(409);
    expect(closed.json()).toMatchObject({ code: 'coaching_session_closed' });
    // A second question takes the next open session, never the linked one.
    const again = await askFrom(e, ip);
    expect((await sessions()).find((s) => s.session_key === older)?.question_id).toBe(again.questionId);
  });

  it('creates the question normally when there is no session', async () => {
    const e = await createExpert(t.database.db);
    const asked = await askFrom(e, freshIp());
    expect(asked.questionId).toBeGreaterThan(0);
    expect((await sessions()).filter((s) => s.question_id === asked.questionId)).toEqual([]);
  });
});

describe('erasure', () => {
  it('deleting the expert account erases its coaching sessions; the residue check finds nothing', async () => {
    const e = await createExpert(t.database.db);
    const marker = `coach${hex()}`;
    const ip = freshIp();
    const linked = await validated(e.profile.id, `Linked ${marker}`, ip);
    await post('analyze-and-guide', { sessionId: linked, expertProfile: {}, questionContext: { text: `details ${marker}` } });
    await askFrom(e, ip);
    await validated(e.profile.id, `Open ${marker}`);
    const subject = await collectSubject(t.database.db, [{ table: 'user', ids: [e.user.id] }], [marker, e.user.email]);
    expect(subject.rows.get('question_coaching_sessions')?.ids.size).toBe(2);
    await t.database.db.updateTable('user').set({ last_login_at: t.ctx.now() }).where('id', '=', e.user.id).execute();
    const res = await t.app.inject({ method: 'DELETE', url: '/me/delete-account', headers: bearer(await tokenFor(t.ctx, e.user)) });
    expect(res.statusCode).toBe(200);
    const allowEmailOutboxIds = await confirmationIds(e.user.email);
    expect(await findResidue(t.database.db, subject, { exhaustive: true, allowEmailOutboxIds })).toEqual([]);
  });

  it('the asker erasure deletes the sessions of the asker’s questions', async () => {
    const e = await createExpert(t.database.db);
    const marker = `asker${hex()}`;
    const email = `${marker}@asker.test`;
    const ip = freshIp();
    const sessionId = await validated(e.profile.id, `Coached ${marker}`, ip);
    const asked = await askFrom(e, ip, { payerEmail: email });
    expect((await sessions()).find((s) => s.session_key === sessionId)?.question_id).toBe(asked.questionId);
    const subject = await collectSubject(t.database.db, [], [email, marker]);
    expect((await t.app.inject({ method: 'POST', url: '/api/askers/erasure/request', payload: { email } })).statusCode).toBe(200);
    const code = await codeFromOutbox(t, email);
    const res = await t.app.inject({ method: 'POST', url: '/api/askers/erasure/confirm', payload: { email, code } });
    expect(res.statusCode).toBe(200);
    expect(res.json().counts.question_coaching_sessions).toBe(1);
    expect((await sessions()).find((s) => s.session_key === sessionId)).toBeUndefined();
    const allowEmailOutboxIds = await confirmationIds(email);
    expect(await findResidue(t.database.db, subject, { exhaustive: true, allowEmailOutboxIds })).toEqual([]);
  });
});

describe('retention', () => {
  it('deletes sessions that led to no question after 30 days and counters of past days; keeps linked sessions', async () => {
    const e = await createExpert(t.database.db);
    const ip = freshIp();
    const open = await validated(e.profile.id, 'Never sent');
    const linked = await validated(e.profile.id, 'Sent later', ip);
    await askFrom(e, ip);
    t.clock.advance(29 * 24 * 3600_000);
    try {
      await runRetention(t.ctx, false);
      const keys = (await sessions()).map((s) => s.session_key);
      expect(keys).toEqual(expect.arrayContaining([open, linked]));
      expect(await counters()).toEqual([]); // every counter so far is from an earlier day
      t.clock.advance(2 * 24 * 3600_000);
      const r = await runRetention(t.ctx, false);
      expect(r.coaching).toBeGreaterThan(0);
      const left = (await sessions()).map((s) => s.session_key);
      expect(left).not.toContain(open);
      expect(left).toContain(linked);
    } finally {
      t.clock.advance(-31 * 24 * 3600_000);
    }
  });
});
