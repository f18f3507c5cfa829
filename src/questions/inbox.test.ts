import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { bearer, createUser, tokenFor } from '../../test/factories.ts';
import { askDeepDive, askQuickConsult, type ExpertWithToken, expertWithToken, states } from '../../test/question-helpers.ts';

const HOUR = 3600_000;

describe('GET and PATCH /question/:id', () => {
  let t: TestApp;
  let e: ExpertWithToken;
  let other: ExpertWithToken;
  let qid: number;
  beforeAll(async () => {
    t = await createTestApp();
    e = await expertWithToken(t);
    other = await expertWithToken(t);
    qid = (await askQuickConsult(t, e)).questionId;
  });
  afterAll(() => t.close());

  it('gives the owner the question without the review token or payment ids', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/question/${qid}`, headers: e.auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ id: qid, status: 'paid', question_tier: 'quick_consult', price_cents: 5000, rating: null });
    for (const key of ['playback_token_hash', 'review_token', 'payment_intent_id', 'checkout_session_id'])
      expect(body).not.toHaveProperty(key);
  });

  it('answers 401 without a token, 403 to another expert, 404 for an unknown id or a caller without profile', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/question/${qid}` })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: `/question/${qid}`, headers: { authorization: 'Bearer nope' } })).statusCode).toBe(
      401,
    );
    const foreign = await t.app.inject({ method: 'GET', url: `/question/${qid}`, headers: other.auth });
    expect([foreign.statusCode, foreign.json().code]).toEqual([403, 'not_question_owner']);
    expect((await t.app.inject({ method: 'GET', url: '/question/999999', headers: e.auth })).statusCode).toBe(404);
    const plain = await createUser(t.database.db);
    const res = await t.app.inject({ method: 'GET', url: `/question/${qid}`, headers: bearer(await tokenFor(t.ctx, plain)) });
    expect([res.statusCode, res.json().code]).toEqual([404, 'expert_profile_not_found']);
    expect((await t.app.inject({ method: 'GET', url: '/question/abc', headers: e.auth })).statusCode).toBe(400);
  });

  it('PATCH accepts equal flow values and changes hidden', async () => {
    const { question } = await states(t, qid);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/question/${qid}`,
      headers: e.auth,
      payload: {
        status: 'paid',
        paid_at: question.paid_at?.getTime(),
        answered_at: null,
        refunded_at: null,
        payment_intent_id: question.payment_intent_id,
        checkout_session_id: null,
        price_cents: 5000,
        hidden: true,
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: qid, hidden: true, status: 'paid' });
    expect(res.json()).not.toHaveProperty('playback_token_hash');
    expect((await states(t, qid)).question.hidden).toBe(true);
  });

  it.each([
    [{ status: 'closed' }],
    [{ answered_at: 1_700_000_000_000 }],
    [{ refunded_at: 1_700_000_000_000 }],
    [{ payment_intent_id: 'pi_other' }],
    [{ price_cents: 1 }],
    [{ final_price_cents: 1 }],
    [{ pricing_status: 'refunded' }],
    [{ playback_token_hash: 'attacker-chosen' }],
  ])('PATCH refuses %j with 409 and changes nothing', async (payload) => {
    const before = await states(t, qid);
    const res = await t.app.inject({ method: 'PATCH', url: `/question/${qid}`, headers: e.auth, payload: { ...payload, hidden: false } });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('field_not_writable');
    expect(await states(t, qid)).toEqual(before);
  });

  it('PATCH: 401 without token, 403 for another expert, unknown fields ignored (X path) and never written', async () => {
    expect((await t.app.inject({ method: 'PATCH', url: `/question/${qid}`, payload: { hidden: false } })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ method: 'PATCH', url: `/question/${qid}`, headers: other.auth, payload: { hidden: false } })).statusCode,
    ).toBe(403);
    const before = await states(t, qid);
    const res = await t.app.inject({ method: 'PATCH', url: `/question/${qid}`, headers: e.auth, payload: { title: 'new' } });
    expect(res.statusCode).toBe(200);
    expect(await states(t, qid)).toEqual(before);
  });

  it('POST /question/hidden hides and unhides, only for the owner', async () => {
    const hide = await t.app.inject({
      method: 'POST',
      url: '/question/hidden',
      headers: e.auth,
      payload: { question_id: qid, hidden: true },
    });
    expect(hide.json()).toEqual({ success: true, question_id: qid, hidden: true });
    expect((await states(t, qid)).question.hidden).toBe(true);
    const unhide = await t.app.inject({
      method: 'POST',
      url: '/question/hidden',
      headers: e.auth,
      payload: { question_id: qid, hidden: false },
    });
    expect(unhide.statusCode).toBe(200);
    expect((await states(t, qid)).question.hidden).toBe(false);
    const foreign = await t.app.inject({
      method: 'POST',
      url: '/question/hidden',
      headers: other.auth,
      payload: { question_id: qid, hidden: true },
    });
    expect(foreign.statusCode).toBe(403);
    expect((await states(t, qid)).question.hidden).toBe(false);
    expect((await t.app.inject({ method: 'POST', url: '/question/hidden', payload: { question_id: qid, hidden: true } })).statusCode).toBe(
      401,
    );
    expect(
      (await t.app.inject({ method: 'POST', url: '/question/hidden', headers: e.auth, payload: { question_id: qid } })).statusCode,
    ).toBe(400);
  });
});

describe('GET /me/questions and the inbox reads', () => {
  let t: TestApp;
  let e: ExpertWithToken;
  const ids: Record<string, number> = {};
  const list = async (query: string, headers = e.auth) => {
    const res = await t.app.inject({ method: 'GET', url: `/me/questions?${query}`, headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { questions: { id: number; [k: string]: unknown }[]; pagination: Record<string, unknown> };
  };
  const idsOf = (r: { questions: { id: number }[] }) => r.questions.map((q) => q.id);

  beforeAll(async () => {
    t = await createTestApp();
    e = await expertWithToken(t);
    ids.old = (await askQuickConsult(t, e, { title: 'Oldest about taxes', payerFirstName: 'Zed', payerLastName: 'Zulu' })).questionId;
    t.clock.advance(HOUR);
    ids.answered = (await askQuickConsult(t, e, { title: 'Answered one' })).questionId;
    await t.app.inject({ method: 'POST', url: '/answer', headers: e.auth, payload: { question_id: ids.answered, text_response: 'Done' } });
    t.clock.advance(HOUR);
    ids.offer = (await askDeepDive(t, e, 30000, { title: 'Pending offer' })).questionId;
    t.clock.advance(HOUR);
    ids.accepted = (await askDeepDive(t, e, 20000, { title: 'Accepted dive', payerEmail: 'special@client.test' })).questionId;
    await t.app.inject({ method: 'POST', url: `/offers/${ids.accepted}/accept`, headers: e.auth });
    t.clock.advance(HOUR);
    ids.hidden = (await askQuickConsult(t, e, { title: 'Hidden 100% one' })).questionId;
    await t.app.inject({ method: 'POST', url: '/question/hidden', headers: e.auth, payload: { question_id: ids.hidden, hidden: true } });
    t.clock.advance(HOUR);
    ids.declined = (await askDeepDive(t, e, 15000, { title: 'Declined dive' })).questionId;
    await t.app.inject({ method: 'POST', url: `/offers/${ids.declined}/decline`, headers: e.auth, payload: {} });
    const other = await expertWithToken(t);
    await askQuickConsult(t, other, { title: 'Not mine' });
  });
  afterAll(() => t.close());

  it('filters the legacy tabs: pending, answered, all (without pending offers), and no filter = all', async () => {
    expect(idsOf(await list('filter_type=pending&per_page=1000'))).toEqual([ids.accepted, ids.old]);
    expect(idsOf(await list('filter_type=answered&per_page=1000'))).toEqual([ids.answered]);
    const all = [ids.declined, ids.hidden, ids.accepted, ids.answered, ids.old];
    expect(idsOf(await list('filter_type=all&per_page=1000'))).toEqual(all);
    expect(idsOf(await list(''))).toEqual(all);
    expect(idsOf(await list('status=declined'))).toEqual([ids.declined]);
    expect(idsOf(await list('filter_type=closed'))).toEqual([ids.answered]);
  });

  it('sorts by date, price and time left', async () => {
    expect(idsOf(await list('sort_by=date_old'))).toEqual([ids.old, ids.answered, ids.accepted, ids.hidden, ids.declined]);
    expect(idsOf(await list('sort_by=created_at'))[0]).toBe(ids.declined);
    expect(idsOf(await list('sort_by=price_high'))).toEqual([ids.accepted, ids.declined, ids.hidden, ids.answered, ids.old]);
    expect(idsOf(await list('sort_by=price_low')).at(-1)).toBe(ids.accepted);
    // old: 24 h SLA from its creation 5 h ago (19 h left); accepted: 48 h from its acceptance.
    expect(idsOf(await list('filter_type=pending&sort_by=time_left'))).toEqual([ids.old, ids.accepted]);
  });

  it('filters by price in dollars and searches title, text, payer name and e-mail', async () => {
    expect(idsOf(await list('price_min=150&price_max=200'))).toEqual([ids.declined, ids.accepted]);
    expect(idsOf(await list('search=TAXES'))).toEqual([ids.old]);
    expect(idsOf(await list('search=zed%20zulu'))).toEqual([ids.old]);
    expect(idsOf(await list('search=special@client'))).toEqual([ids.accepted]);
    expect(idsOf(await list('search=100%25'))).toEqual([ids.hidden]);
  });

  it('pages, allows per_page up to 1000 and caps larger values', async () => {
    const p1 = await list('per_page=2&page=1');
    expect(p1.pagination).toEqual({ page: 1, per_page: 2, total: 5, total_pages: 3, has_next: true, has_prev: false });
    const p3 = await list('per_page=2&page=3');
    expect(p3.questions.length).toBe(1);
    expect(p3.pagination).toMatchObject({ has_next: false, has_prev: true });
    expect((await list('per_page=5000')).pagination.per_page).toBe(1000);
    expect((await t.app.inject({ method: 'GET', url: '/me/questions?per_page=0', headers: e.auth })).statusCode).toBe(400);
  });

  it('returns the client shape without the token; the /api variant adds parsed attachments and recording segments', async () => {
    const item = (await list('filter_type=answered')).questions[0] as Record<string, unknown>;
    expect(item).toMatchObject({ id: ids.answered, status: 'closed', has_recording: false, rating: null, currency: 'USD' });
    expect(item.attachments).toEqual([{ name: 'brief.pdf', url: 'https://files.example/brief.pdf', size: 1200, type: 'application/pdf' }]);
    expect(typeof item.created_at).toBe('number');
    expect(item).not.toHaveProperty('playback_token_hash');
    expect(item).not.toHaveProperty('recording_segments');
    const api = await t.app.inject({ method: 'GET', url: '/api/me/questions?filter_type=answered', headers: e.auth });
    expect(api.json().questions[0].recording_segments).toEqual([]);
  });

  it('maps a multi-segment recording to recording_segments', async () => {
    const media = await t.database.db
      .insertInto('media_asset')
      .values({
        provider: 'cloudflare_stream',
        asset_id: 'seg-a',
        status: 'ready',
        url: 'https://v.example/seg-a',
        duration_sec: 30,
        metadata: JSON.stringify({
          type: 'multi-segment',
          mime_type: 'video/webm',
          segment_count: 2,
          segments: [
            { uid: 'seg-b', playback_url: 'https://v.example/seg-b', duration: 10, mode: 'audio', segment_index: 1 },
            { uid: 'seg-a', playback_url: 'https://v.example/seg-a', duration: 20, mode: 'video', segment_index: 0 },
          ],
        }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const e2 = await expertWithToken(t);
    await askQuickConsult(t, e2, { media_asset_id: media.id });
    const res = await t.app.inject({ method: 'GET', url: '/api/me/questions', headers: e2.auth });
    expect(res.json().questions[0].has_recording).toBe(true);
    expect(res.json().questions[0].recording_segments).toEqual([
      {
        id: 'seg-a',
        url: 'https://v.example/seg-a',
        duration_sec: 20,
        segment_index: 0,
        metadata: { mode: 'video' },
        provider: 'cloudflare_stream',
        asset_id: 'seg-a',
      },
      {
        id: 'seg-b',
        url: 'https://v.example/seg-b',
        duration_sec: 10,
        segment_index: 1,
        metadata: { mode: 'audio' },
        provider: 'cloudflare_stream',
        asset_id: 'seg-b',
      },
    ]);
  });

  it('counts by status and unanswered', async () => {
    const count = async (q: string) =>
      (await t.app.inject({ method: 'GET', url: `/me/questions/count?${q}`, headers: e.auth })).json().count;
    expect(await count('status=paid&unanswered=true')).toBe(4);
    expect(await count('status=closed')).toBe(1);
    expect(await count('')).toBe(6);
    expect((await t.app.inject({ method: 'GET', url: '/me/questions/count' })).statusCode).toBe(401);
  });

  it('lists pending offers (both paths) with hours remaining and array attachments', async () => {
    const x = await t.app.inject({ method: 'GET', url: '/expert/pending-offers', headers: e.auth });
    expect(x.statusCode).toBe(200);
    expect(x.json()).toEqual({
      offers: [
        {
          question_id: ids.offer,
          title: 'Pending offer',
          text: 'Some details about my situation.',
          payer_email: 'asker@example.test',
          payer_name: 'Ann Asker',
          proposed_price_cents: 30000,
          asker_message: 'Worth it?',
          media_asset_id: null,
          created_at: expect.any(Number),
          offer_expires_at: expect.any(Number),
          hours_remaining: 21,
          sla_hours: 48,
          attachments: [{ name: 'brief.pdf', url: 'https://files.example/brief.pdf', size: 1200, type: 'application/pdf' }],
        },
      ],
      count: 1,
    });
    const v = await t.app.inject({ method: 'GET', url: '/api/expert/pending-offers', headers: e.auth });
    expect(v.json()).toMatchObject({ success: true, count: 1 });
    expect((await t.app.inject({ method: 'GET', url: '/expert/pending-offers' })).statusCode).toBe(401);
  });

  it('GET /me/answers is a bare array of rated answers only', async () => {
    const empty = await t.app.inject({ method: 'GET', url: '/me/answers', headers: e.auth });
    expect(empty.json()).toEqual([]);
    await t.database.db
      .updateTable('answer')
      .set({ rating: 4, feedback_text: 'Good', feedback_at: t.clock.now })
      .where('question_id', '=', ids.answered as number)
      .execute();
    const res = await t.app.inject({ method: 'GET', url: '/me/answers', headers: e.auth });
    expect(res.json()).toEqual([{ question_id: ids.answered, rating: 4, feedback_text: 'Good', feedback_at: t.clock.now.getTime() }]);
    expect((await list('filter_type=answered')).questions[0]?.rating).toBe(4);
  });

  it('GET /me/dashboard-analytics computes the numbers; 404 without a profile', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/me/dashboard-analytics', headers: e.auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      thisMonthRevenue: 50,
      avgResponseTime: 0,
      avgRating: 4,
      urgentCount: 0,
      pendingCount: 4,
      answeredCount: 1,
      thisMonthAnsweredCount: 1,
      avgRevenuePerQuestion: 50,
      slaComplianceRate: 100,
      totalQuestions: 6,
      revenueChange: 100,
    });
    const plain = await createUser(t.database.db);
    const none = await t.app.inject({ method: 'GET', url: '/me/dashboard-analytics', headers: bearer(await tokenFor(t.ctx, plain)) });
    expect(none.statusCode).toBe(404);
  });
});
