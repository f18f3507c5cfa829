import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { bearer, tokenFor } from '../../test/factories.ts';
import { askDeepDive, askQuickConsult, type ExpertWithToken, expertWithToken, lifecycle } from '../../test/question-helpers.ts';

const HOUR = 3600_000;

describe('Deep Dive offers: accept and decline', () => {
  let t: TestApp;
  let e: ExpertWithToken;
  let other: ExpertWithToken;
  let ip = 0;
  // Tokens are signed at the test clock: sign per call, since tests move the clock past 24 h.
  const auth = async (x: ExpertWithToken) => bearer(await tokenFor(t.ctx, x.user));
  const accept = async (id: number, x = e) => t.app.inject({ method: 'POST', url: `/offers/${id}/accept`, headers: await auth(x) });
  const decline = async (id: number, x = e) =>
    t.app.inject({ method: 'POST', url: `/offers/${id}/decline`, headers: await auth(x), payload: {} });
  beforeAll(async () => {
    t = await createTestApp();
    e = await expertWithToken(t);
    other = await expertWithToken(t);
  });
  afterAll(() => t.close());

  it('accept answers with the SLA; the /api variant takes {id}', async () => {
    const { questionId } = await askDeepDive(t, e, 20000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/offers-accept',
      headers: await auth(e),
      payload: { id: questionId },
      remoteAddress: `10.2.0.${++ip}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      success: true,
      question_id: questionId,
      status: 'offer_accepted',
      question_status: 'paid',
      sla_deadline: t.clock.now.getTime() + 48 * HOUR,
      sla_hours: 48,
    });
  });

  it('decline via /api takes a reason, defaults to "Expert declined"', async () => {
    const { questionId } = await askDeepDive(t, e, 20000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/offers-decline',
      headers: await auth(e),
      payload: { id: questionId },
      remoteAddress: `10.2.0.${++ip}`,
    });
    expect(res.json()).toEqual({
      success: true,
      question_id: questionId,
      status: 'offer_declined',
      question_status: 'declined',
      payment_canceled: true,
    });
    const q = await t.database.db.selectFrom('question').select('decline_reason').where('id', '=', questionId).executeTakeFirstOrThrow();
    expect(q.decline_reason).toBe('Expert declined');
  });

  it('decline without a body works on the legacy path', async () => {
    const { questionId } = await askDeepDive(t, e, 20000);
    const res = await t.app.inject({ method: 'POST', url: `/offers/${questionId}/decline`, headers: await auth(e) });
    expect(res.statusCode).toBe(200);
  });

  describe('transitions the lifecycle does not allow are 400 on the X paths (as Xano answered) and change nothing', () => {
    it('accept an expired offer', async () => {
      const { questionId } = await askDeepDive(t, e, 20000);
      t.clock.advance(24 * HOUR);
      const before = await lifecycle(t, questionId);
      const res = await accept(questionId);
      expect([res.statusCode, res.json().code]).toEqual([400, 'offer_expired']);
      expect(await lifecycle(t, questionId)).toEqual(before);
    });

    it('accept or decline twice, decline after accept, accept after decline', async () => {
      const a = (await askDeepDive(t, e, 20000)).questionId;
      expect((await accept(a)).statusCode).toBe(200);
      const accepted = await lifecycle(t, a);
      for (const res of [await accept(a), await decline(a)]) expect([res.statusCode, res.json().code]).toEqual([400, 'offer_not_pending']);
      expect(await lifecycle(t, a)).toEqual(accepted);
      const d = (await askDeepDive(t, e, 20000)).questionId;
      expect((await decline(d)).statusCode).toBe(200);
      const declined = await lifecycle(t, d);
      for (const res of [await accept(d), await decline(d)]) expect(res.statusCode).toBe(400);
      expect(await lifecycle(t, d)).toEqual(declined);
    });

    it('accept an auto-declined offer or a Quick Consult', async () => {
      const low = await expertWithToken(t, { tier2_auto_decline_below_cents: 50000 });
      const auto = (await askDeepDive(t, low, 20000)).questionId;
      expect((await accept(auto, low)).json().code).toBe('offer_not_pending');
      const qc = (await askQuickConsult(t, e)).questionId;
      const before = await lifecycle(t, qc);
      for (const res of [await accept(qc), await decline(qc)]) expect([res.statusCode, res.json().code]).toEqual([400, 'not_an_offer']);
      expect(await lifecycle(t, qc)).toEqual(before);
    });

    it('accept a refunded offer', async () => {
      const { questionId } = await askDeepDive(t, e, 20000);
      await t.app.inject({ method: 'POST', url: `/question/${questionId}/refund`, headers: await auth(e), payload: {} });
      expect((await accept(questionId)).statusCode).toBe(400);
      expect(await lifecycle(t, questionId)).toMatchObject({ status: 'refunded', payment: 'refunded', intent: 'canceled' });
    });
  });

  it('auth and ownership: 401 without token, 403 for another expert, 404 unknown, 400 bad id', async () => {
    const { questionId } = await askDeepDive(t, e, 20000);
    const before = await lifecycle(t, questionId);
    expect((await t.app.inject({ method: 'POST', url: `/offers/${questionId}/accept` })).statusCode).toBe(401);
    expect((await accept(questionId, other)).statusCode).toBe(403);
    expect((await decline(questionId, other)).statusCode).toBe(403);
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/offers-decline',
      headers: await auth(other),
      payload: { id: questionId },
      remoteAddress: `10.2.0.${++ip}`,
    });
    expect(api.statusCode).toBe(403);
    expect(await lifecycle(t, questionId)).toEqual(before);
    expect((await accept(999999)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/offers/x/accept', headers: await auth(e) })).statusCode).toBe(400);
    const noId = await t.app.inject({
      method: 'POST',
      url: '/api/offers-accept',
      headers: await auth(e),
      payload: {},
      remoteAddress: `10.2.0.${++ip}`,
    });
    expect(noId.statusCode).toBe(400);
  });

  it('limits /api/offers-accept to 10 a minute per expert', async () => {
    const fresh = await expertWithToken(t);
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) {
      codes.push(
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/offers-accept',
            headers: await auth(fresh),
            payload: { id: 999999 },
            remoteAddress: '10.3.3.3',
          })
        ).statusCode,
      );
    }
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(codes[10]).toBe(429);
  });
});
