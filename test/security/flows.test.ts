/**
 * Business flows out of order, the legacy IDORs by name, and use after delete. Each step that must
 * be refused answers 409/4xx and leaves question, payment and provider intent exactly as they were.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestApp } from '../app.ts';
import { isPostgres } from '../db.ts';
import { bearer } from '../factories.ts';
import { askDeepDive, askQuickConsult, holdFor, lifecycle, questionBody, xanoQuestionBody } from '../question-helpers.ts';
import { curl, type Recorder, routeTest, type Suite, securityApp, send } from './harness.ts';
import type { Req } from './types.ts';

let s: Suite;
beforeAll(async () => {
  s = await securityApp();
}, 120_000);
afterAll(() => s?.t.close());

const owner = () => s.w.people.owner;
const auth = async (who: 'owner' | 'other' = 'owner') => bearer(await s.w.mainToken(s.w.people[who]));

/** Sends, checks the status, and returns the response (the reproduction names the caller). */
async function expectStatus(rec: Recorder, req: Req, want: number[], check: string, who = 'owner') {
  const res = await send(s.w, req);
  rec.status(res, want, check, curl(req, who));
  return res;
}

/** A refused step on an X path answers 400 (as Xano did), on a V (/api/…) path 409. */
const refusal = (url: string) => (url.startsWith('/api/') ? [409] : [400]);

/** A refused step: 409-class answer and the same question/payment/intent state afterwards. */
async function refused(rec: Recorder, questionId: number, req: Req, check: string, want = refusal(req.url)) {
  const before = await lifecycle(s.t, questionId);
  await expectStatus(rec, req, want, check);
  const after = await lifecycle(s.t, questionId);
  rec.check(
    JSON.stringify(before) === JSON.stringify(after),
    `${check}: no state change`,
    `${JSON.stringify(before)} → ${JSON.stringify(after)}`,
    curl(req, 'owner'),
  );
}

const post = async (url: string, payload: unknown, who: 'owner' | 'other' = 'owner'): Promise<Req> => ({
  method: 'POST',
  url,
  payload,
  headers: await auth(who),
});
const answerReq = (questionId: number) => post('/answer', { question_id: questionId, text_response: 'An answer.' });

describe('business flows out of order', () => {
  routeTest('flows', 'POST /answer', async (rec) => {
    const e = s.w.expertOf('owner');
    const declined = await askDeepDive(s.t, e, 20_000);
    await expectStatus(rec, await post(`/offers/${declined.questionId}/decline`, {}), [200], 'decline an offer');
    await refused(rec, declined.questionId, await answerReq(declined.questionId), 'answer a declined offer');
    const pending = await askDeepDive(s.t, e, 20_000);
    await refused(rec, pending.questionId, await answerReq(pending.questionId), 'answer an offer not accepted yet');
    const refunded = await askQuickConsult(s.t, e);
    await expectStatus(rec, await post(`/question/${refunded.questionId}/refund`, {}), [200], 'refund');
    await refused(rec, refunded.questionId, await answerReq(refunded.questionId), 'answer a refunded question');
    const answered = await askQuickConsult(s.t, e);
    await expectStatus(rec, await answerReq(answered.questionId), [200], 'answer');
    await refused(rec, answered.questionId, await answerReq(answered.questionId), 'answer twice');
    const late = await askQuickConsult(s.t, e);
    s.t.clock.advance(25 * 3600_000);
    await refused(rec, late.questionId, await answerReq(late.questionId), 'answer after the SLA deadline');
  });

  routeTest('flows', 'POST /offers/:id/accept', async (rec) => {
    const e = s.w.expertOf('owner');
    const expired = await askDeepDive(s.t, e, 20_000);
    s.t.clock.advance(24 * 3600_000 + 1000);
    await refused(rec, expired.questionId, await post(`/offers/${expired.questionId}/accept`, undefined), 'accept an expired offer');
    const twice = await askDeepDive(s.t, e, 20_000);
    await expectStatus(rec, await post(`/offers/${twice.questionId}/accept`, undefined), [200], 'accept');
    await refused(rec, twice.questionId, await post(`/offers/${twice.questionId}/accept`, undefined), 'accept twice');
    await refused(rec, twice.questionId, await post(`/offers/${twice.questionId}/decline`, {}), 'decline an accepted offer');
    const declined = await askDeepDive(s.t, e, 20_000);
    await expectStatus(rec, await post('/api/offers-decline', { id: declined.questionId }), [200], 'decline');
    await refused(rec, declined.questionId, await post('/api/offers-accept', { id: declined.questionId }), 'accept a declined offer');
    const qc = await askQuickConsult(s.t, e);
    await refused(rec, qc.questionId, await post(`/offers/${qc.questionId}/accept`, undefined), 'accept a Quick Consult (no offer)');
  });

  routeTest('flows', 'POST /payment/capture', async (rec) => {
    const e = s.w.expertOf('owner');
    const open = await askQuickConsult(s.t, e);
    await refused(rec, open.questionId, await post('/payment/capture', { question_id: open.questionId }), 'capture an unanswered question');
    const done = await askQuickConsult(s.t, e);
    await expectStatus(rec, await answerReq(done.questionId), [200], 'answer (captures)');
    const before = await lifecycle(s.t, done.questionId);
    rec.check(before.payment === 'captured', 'capture on answer', `payment is ${before.payment}`);
    // Capture is idempotent by design: a second one answers 200 already_captured and changes nothing.
    const again = await expectStatus(rec, await post('/payment/capture', { question_id: done.questionId }), [200], 'capture twice');
    rec.check(again.json().already_captured === true, 'capture twice: already_captured', again.body);
    rec.check(
      JSON.stringify(await lifecycle(s.t, done.questionId)) === JSON.stringify(before),
      'capture twice: no state change',
      'state changed',
    );
  });

  routeTest('flows', 'POST /question/:id/refund', async (rec) => {
    const e = s.w.expertOf('owner');
    const done = await askQuickConsult(s.t, e);
    await expectStatus(rec, await answerReq(done.questionId), [200], 'answer (captures)');
    await refused(rec, done.questionId, await post(`/question/${done.questionId}/refund`, {}), 'refund after capture');
    await refused(
      rec,
      done.questionId,
      await post('/api/questions/refund', { question_id: done.questionId }),
      'refund after capture (legacy path)',
    );
    const twice = await askQuickConsult(s.t, e);
    await expectStatus(rec, await post(`/question/${twice.questionId}/refund`, {}), [200], 'refund');
    await refused(rec, twice.questionId, await post(`/question/${twice.questionId}/refund`, {}), 'refund twice');
    const dd = await askDeepDive(s.t, e, 20_000);
    await expectStatus(rec, await post(`/offers/${dd.questionId}/decline`, {}), [200], 'decline');
    await refused(
      rec,
      dd.questionId,
      await post(`/question/${dd.questionId}/refund`, {}),
      'refund a declined offer (hold already released)',
    );
  });

  routeTest('flows', 'POST /api/questions/quick-consult', async (rec) => {
    const e = s.w.expertOf('owner');
    const first = await askQuickConsult(s.t, e);
    const count = async () =>
      (
        await s.t.database.db
          .selectFrom('question')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = Number(await count());
    const reuse: Req = {
      method: 'POST',
      url: '/api/questions/quick-consult',
      payload: questionBody(e.profile.handle as string, first.intentId),
    };
    await expectStatus(rec, reuse, [409], 'reuse a payment intent', 'anonymous');
    const dd: Req = {
      method: 'POST',
      url: '/question/deep-dive',
      payload: { ...xanoQuestionBody(e.profile.id, first.intentId), proposed_price_cents: 5000 },
    };
    await expectStatus(rec, dd, [400], 'reuse a payment intent for another tier', 'anonymous');
    const cheap = await holdFor(s.t, 100);
    const under: Req = { method: 'POST', url: '/api/questions/quick-consult', payload: questionBody(e.profile.handle as string, cheap) };
    await expectStatus(rec, under, [400, 402, 409, 422], 'a hold of the wrong amount', 'anonymous');
    const forged: Req = {
      method: 'POST',
      url: '/api/questions/quick-consult',
      payload: questionBody(e.profile.handle as string, 'pi_never_created_here'),
    };
    await expectStatus(rec, forged, [400, 402, 404, 409, 422], 'an intent that was never held', 'anonymous');
    rec.check(Number(await count()) === before, 'refused creations insert nothing', `questions went from ${before} to ${await count()}`);
  });

  // Two creations racing on one intent: exactly one question (the unique index decides). Real concurrency needs PostgreSQL.
  it.runIf(isPostgres())('race two creations on the same payment intent', async () => {
    const e = s.w.expertOf('owner');
    const intent = await holdFor(s.t, e.profile.tier1_price_cents);
    const req = () =>
      s.t.app.inject({ method: 'POST', url: '/api/questions/quick-consult', payload: questionBody(e.profile.handle as string, intent) });
    const codes = (await Promise.all([req(), req(), req()])).map((r) => r.statusCode).sort();
    if (codes.join() !== '201,409,409') throw new Error(`expected one 201 and two 409, got ${codes}`);
  });

  routeTest('flows', 'POST /review/:token/feedback', async (rec) => {
    const e = s.w.expertOf('owner');
    const open = await askQuickConsult(s.t, e);
    const rate = (token: string): Req => ({ method: 'POST', url: `/review/${token}/feedback`, payload: { rating: 5 } });
    await refused(rec, open.questionId, rate(open.reviewToken), 'rate an unanswered question', [400, 409]);
    const done = await askQuickConsult(s.t, e);
    await expectStatus(rec, await answerReq(done.questionId), [200], 'answer');
    await expectStatus(rec, rate(done.reviewToken), [200], 'rate', 'asker');
    await expectStatus(rec, rate(done.reviewToken), [400], 'rate twice', 'asker');
  });
});

describe('legacy IDORs (legacy-backend §9)', () => {
  routeTest('flows', 'POST /api/answers/create', async (rec) => {
    const e1 = s.w.expertOf('owner');
    const q = await askQuickConsult(s.t, e1);
    // The body's user_id names the owner; the session is another expert's: refused, nothing written.
    await refused(
      rec,
      q.questionId,
      await post('/api/answers/create', { question_id: q.questionId, user_id: owner().userId, text_response: 'mine now' }, 'other'),
      'answer with someone else’s user_id',
      [403, 404],
    );
    // The owner answering with another expert's user_id: the answer is the owner's, the body is ignored.
    await expectStatus(
      rec,
      await post('/answer', { question_id: q.questionId, user_id: s.w.people.other.userId, text_response: 'ok' }),
      [200],
      'owner answers (user_id ignored)',
    );
    const row = await s.t.database.db
      .selectFrom('answer')
      .select('user_id')
      .where('question_id', '=', q.questionId)
      .executeTakeFirstOrThrow();
    rec.check(row.user_id === owner().userId, 'answer belongs to the session', `answer.user_id = ${row.user_id}`);
    await expectStatus(
      rec,
      { method: 'GET', url: `/answer?question_id=${q.questionId}`, headers: await auth('other') },
      [403, 404],
      'GET /answer of another expert’s question',
      'other',
    );
  });

  routeTest('flows', 'DELETE /media_asset/:id', async (rec) => {
    const mine = await s.w.media(owner());
    const theirs = await s.w.media(s.w.people.other);
    for (const method of ['GET', 'DELETE']) {
      await expectStatus(rec, { method, url: `/media_asset/${theirs}`, headers: await auth() }, [404], `${method} another user’s media`);
    }
    await expectStatus(rec, { method: 'DELETE', url: `/media_asset/${mine}`, headers: await auth() }, [200], 'delete my media');
    for (const method of ['GET', 'DELETE']) {
      await expectStatus(rec, { method, url: `/media_asset/${mine}`, headers: await auth() }, [404], `${method} after delete`);
    }
    const q = await askQuickConsult(s.t, s.w.expertOf('owner'));
    await refused(
      rec,
      q.questionId,
      await post('/answer', { question_id: q.questionId, media_asset_id: mine }),
      'answer with a deleted recording',
      [404],
    );
    // Another expert's recording, uploaded with their session and not attached yet, cannot be claimed by guessing its id.
    await refused(
      rec,
      q.questionId,
      await post('/answer', { question_id: q.questionId, media_asset_id: theirs }),
      'answer with another user’s recording',
      [403, 404],
    );
    const media = await s.t.database.db.selectFrom('answer').select('id').where('media_asset_id', '=', theirs).execute();
    rec.check(media.length === 0, 'another user’s recording stays unattached', `attached to answer ${media.map((m) => m.id)}`);
  });
});

describe('use after delete (an erased expert)', () => {
  routeTest('flows', 'GET /review/:token', async (rec) => {
    const g = s.w.gone;
    await expectStatus(rec, { method: 'GET', url: `/review/${g.reviewToken}` }, [410], 'review page of an erased expert', 'asker');
    await expectStatus(
      rec,
      { method: 'POST', url: `/review/${g.reviewToken}/feedback`, payload: { rating: 4 } },
      [410],
      'rate after erasure',
      'asker',
    );
    await expectStatus(
      rec,
      { method: 'GET', url: `/public/profile?handle=${g.handle}` },
      [404],
      'public page of an erased expert',
      'anonymous',
    );
    await expectStatus(rec, { method: 'GET', url: `/expert/profile/check-handle/${g.handle}` }, [200], 'handle lookup works', 'anonymous');
    await expectStatus(
      rec,
      { method: 'GET', url: `/question/${g.questionId}`, headers: await auth() },
      [404],
      'question id of an erased expert',
      'owner',
    );
    await expectStatus(
      rec,
      { method: 'GET', url: `/api/account/export/${g.exportToken}` },
      [404, 410],
      'export link of an erased account',
      'anonymous',
    );
    await expectStatus(
      rec,
      { method: 'PATCH', url: `/marketing/campaigns/${g.campaignId}`, payload: { name: 'x' }, headers: await auth() },
      [404],
      'campaign of an erased expert',
      'owner',
    );
    await expectStatus(rec, { method: 'GET', url: '/auth/me', headers: bearer(g.token) }, [401], 'session of an erased account', 'gone');
  });
});

describe('the legacy group prefix and signed webhooks', () => {
  routeTest('flows', 'GET /question/:id', async (rec) => {
    // /api:<group>/… is the same route with the same guard, never a way around it.
    const q = await s.w.object('question', 'owner', 'any', false);
    for (const [headers, want, who] of [
      [{}, [401], 'anonymous'],
      [await auth('other'), [403, 404], 'other'],
      [await auth('owner'), [200], 'owner'],
    ] as const) {
      await expectStatus(
        rec,
        { method: 'GET', url: `/api:3B14WLbJ/question/${q}`, headers: { ...headers } },
        [...want],
        `legacy prefix as ${who}`,
        who,
      );
    }
    const leak = await send(s.w, { method: 'GET', url: `/api:BQW1GS7L/question/${q}`, headers: await auth('other') });
    rec.check(!leak.body.includes('payer_email'), 'legacy prefix: no data to another expert', leak.body.slice(0, 120));
  });

  routeTest('flows', 'POST /api/webhooks/stripe', async (rec) => {
    // With Stripe on, only events signed with STRIPE_WEBHOOK_SECRET are read (the provider is never called here).
    const t = await createTestApp({
      PAYMENTS: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_security_suite',
      STRIPE_WEBHOOK_SECRET: 'whsec_security_suite',
      STRIPE_API_URL: 'http://127.0.0.1:9',
    });
    try {
      const payload = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { id: 'pi_x' } } });
      const now = Math.floor(Date.now() / 1000);
      const sign = (secret: string) => `t=${now},v1=${createHmac('sha256', secret).update(`${now}.${payload}`).digest('hex')}`;
      const variants: [string, Record<string, string>][] = [
        ['unsigned', {}],
        ['forged signature', { 'stripe-signature': 't=1,v1=deadbeef' }],
        ['signed with another secret', { 'stripe-signature': sign('whsec_someone_else') }],
      ];
      for (const [name, headers] of variants) {
        const req = { method: 'POST', url: '/api/webhooks/stripe', payload, headers: { 'content-type': 'application/json', ...headers } };
        const res = await t.app.inject({ method: 'POST', url: req.url, payload, headers: req.headers });
        rec.status(res, [400], `webhook: ${name}`, curl(req, 'stripe'));
      }
    } finally {
      await t.close();
    }
  });
});
