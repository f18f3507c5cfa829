/**
 * Hold deadlines in simulated mode (issue #20 item 4): capture_before stored at creation, short holds
 * flagged, and an expired hold through POST /api/payments/simulate/hold-expired (the webhook's path).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { askDeepDive, askQuickConsult, type ExpertWithToken, expertWithToken, states } from '../../test/question-helpers.ts';
import { holdWarningsJob } from './hold-warning.ts';

const KEY = 'internal-key-internal-key-0123456789';
const HOUR = 3600_000;

describe('payment hold deadlines (PAYMENTS=simulated)', () => {
  let t: TestApp;
  let e: ExpertWithToken;
  beforeAll(async () => {
    t = await createTestApp({ INTERNAL_API_KEY: KEY });
    e = await expertWithToken(t);
  });
  afterAll(() => t.close());

  const expire = (payload: object, query = '') =>
    t.app.inject({ method: 'POST', url: `/api/payments/simulate/hold-expired${query}`, payload });
  const outbox = (key: string) => t.ctx.db.selectFrom('email_outbox').selectAll().where('dedupe_key', '=', key).execute();

  it('stores capture_before = created + PAYMENT_HOLD_HOURS and flags no short hold for a 24 h SLA', async () => {
    const { questionId } = await askQuickConsult(t, e);
    const { payment, intent } = await states(t, questionId);
    expect(payment.capture_before?.getTime()).toBe(intent.created_at.getTime() + 168 * HOUR);
    expect(payment.hold_short).toBe(false);
  });

  it('flags (never refuses) a question whose answer deadline falls after the hold ends', async () => {
    const slow = await expertWithToken(t);
    await t.ctx.db
      .updateTable('expert_profile')
      .set({ tier1_sla_hours: 200, tier2_sla_hours: 150 })
      .where('id', '=', slow.profile.id)
      .execute();
    const qc = await askQuickConsult(t, slow);
    expect((await states(t, qc.questionId)).payment).toMatchObject({ hold_short: true, status: 'authorized' });
    const dd = await askDeepDive(t, slow, 20000);
    expect((await states(t, dd.questionId)).payment.hold_short).toBe(true);
  });

  it('guards the route with the internal key and checks body and question', async () => {
    const { questionId } = await askQuickConsult(t, e);
    expect([(await expire({ question_id: questionId })).statusCode, (await expire({ question_id: questionId })).json().code]).toEqual([
      401,
      'api_key_required',
    ]);
    expect((await expire({ question_id: questionId, x_api_key: 'wrong-key-wrong-key-wrong' })).json().code).toBe('invalid_api_key');
    expect((await expire({ question_id: 'x', x_api_key: KEY })).statusCode).toBe(400);
    expect((await expire({ x_api_key: KEY })).statusCode).toBe(400);
    const unknown = await expire({ question_id: 99_999_999, x_api_key: KEY });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'question_not_found']);
    expect((await states(t, questionId)).question.status).toBe('paid');
  });

  it('expires the hold once: payment failed, question hold_expired, asker e-mailed; a replay changes nothing', async () => {
    const { questionId } = await askQuickConsult(t, e);
    const pending = () => t.app.inject({ method: 'GET', url: '/me/questions?filter_type=pending&per_page=100', headers: e.auth });
    expect((await pending()).body).toContain(`"id":${questionId},`);
    const res = await expire({ question_id: questionId }, `?x_api_key=${KEY}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ success: true, question_id: questionId, applied: true });
    const after = await states(t, questionId);
    expect(after.question.status).toBe('hold_expired');
    expect(after.payment).toMatchObject({ status: 'failed', pending_action: null });
    expect(after.intent).toMatchObject({ status: 'canceled', cancellation_reason: 'automatic' });
    const mails = await outbox(`hold-expired:${questionId}`);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ template: 'hold-expired', to_address: 'asker@example.test' });
    expect(mails[0]?.text_body).toContain('you will not be charged');

    t.clock.advance(60_000);
    const replay = await expire({ question_id: questionId, x_api_key: KEY });
    expect([replay.statusCode, replay.json().applied]).toEqual([200, false]);
    expect(await states(t, questionId)).toEqual(after);
    expect(await outbox(`hold-expired:${questionId}`)).toHaveLength(1);

    // The V path answers 409; the Xano path /answer keeps Xano's 400 (src/http/xano-input.ts).
    const legacy = await t.app.inject({
      method: 'POST',
      url: '/answer',
      headers: e.auth,
      payload: { question_id: questionId, text_response: 'Late' },
    });
    expect([legacy.statusCode, legacy.json().code]).toEqual([400, 'hold_expired']);
    const answer = await t.app.inject({
      method: 'POST',
      url: '/api/answers/create',
      headers: e.auth,
      payload: { question_id: questionId, text_response: 'Late' },
    });
    expect([answer.statusCode, answer.json().code]).toEqual([409, 'hold_expired']);
    const inbox = await pending();
    expect(inbox.statusCode).toBe(200);
    expect(inbox.body).not.toContain(`"id":${questionId},`);
  });

  it('refuses a hold that is no longer held (answered and captured)', async () => {
    const { questionId } = await askQuickConsult(t, e);
    await t.app.inject({ method: 'POST', url: '/answer', headers: e.auth, payload: { question_id: questionId, text_response: 'Done' } });
    const res = await expire({ question_id: questionId, x_api_key: KEY });
    expect([res.statusCode, res.json().code]).toEqual([409, 'payment_not_held']);
    expect((await states(t, questionId)).payment.status).toBe('captured');
  });

  // Last: it moves the clock past most holds of this file.
  it('the hold-expiry-warnings job e-mails the expert once, 24 h before the hold of an unanswered question ends', async () => {
    const { questionId } = await askQuickConsult(t, e);
    const run = () => holdWarningsJob.run(t.ctx, { log: t.ctx.log, signal: new AbortController().signal, dryRun: false });
    t.clock.advance(143 * HOUR);
    await run();
    expect((await states(t, questionId)).payment.hold_warning_sent_at).toBeNull();
    t.clock.advance(2 * HOUR);
    const first = await run();
    expect(first.warned).toBeGreaterThanOrEqual(1);
    const { payment } = await states(t, questionId);
    expect(payment.hold_warning_sent_at?.getTime()).toBe(t.clock.now.getTime());
    const mails = await outbox(`hold-expiring:${questionId}`);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ template: 'hold-expiring', to_address: e.user.email });
    expect(mails[0]?.text_body).toContain(payment.capture_before?.toISOString().slice(0, 16).replace('T', ' '));
    t.clock.advance(HOUR);
    expect((await run()).warned).toBe(0);
    expect(await outbox(`hold-expiring:${questionId}`)).toHaveLength(1);
    expect((await states(t, questionId)).payment.hold_warning_sent_at).toEqual(payment.hold_warning_sent_at);
  });
});
