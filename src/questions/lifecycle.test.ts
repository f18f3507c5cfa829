/**
 * The lifecycle table of the spec (§5), one test per row, each asserting the question, the
 * payment row and the provider's intent — with the legacy defects fixed (auto-declined holds and
 * timed-out questions are released, the payment row follows every ending).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { askDeepDive, askQuickConsult, expertWithToken, lifecycle, states } from '../../test/question-helpers.ts';
import { expireDue, expireOffer, expireSla } from '../offers/expire.ts';

const HOUR = 3600_000;

describe('two-tier question lifecycle (spec §5)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('QC created: paid / paid, payment authorized, intent held', async () => {
    const e = await expertWithToken(t);
    const { questionId } = await askQuickConsult(t, e);
    expect(await lifecycle(t, questionId)).toEqual({
      status: 'paid',
      pricing_status: 'paid',
      payment: 'authorized',
      pending_action: null,
      intent: 'requires_capture',
    });
    const { question, payment } = await states(t, questionId);
    expect(question.sla_hours_snapshot).toBe(24);
    expect(question.sla_deadline?.getTime()).toBe(t.clock.now.getTime() + 24 * HOUR);
    expect(payment.amount_cents).toBe(5000);
    expect(payment.authorized_at?.getTime()).toBe(t.clock.now.getTime());
  });

  it('DD created at or above the threshold: paid / offer_pending, authorized, held', async () => {
    const e = await expertWithToken(t, { tier2_auto_decline_below_cents: 10000 });
    const { questionId } = await askDeepDive(t, e, 10000);
    expect(await lifecycle(t, questionId)).toEqual({
      status: 'paid',
      pricing_status: 'offer_pending',
      payment: 'authorized',
      pending_action: null,
      intent: 'requires_capture',
    });
    const { question } = await states(t, questionId);
    expect(question.offer_expires_at?.getTime()).toBe(t.clock.now.getTime() + 24 * HOUR);
    expect(question.sla_deadline).toBeNull();
    expect(question.sla_hours_snapshot).toBe(48);
  });

  it('DD created below the threshold: declined / offer_declined and the hold is released', async () => {
    const e = await expertWithToken(t, { tier2_auto_decline_below_cents: 10000 });
    const { questionId } = await askDeepDive(t, e, 9999);
    expect(await lifecycle(t, questionId)).toEqual({
      status: 'declined',
      pricing_status: 'offer_declined',
      payment: 'refunded',
      pending_action: null,
      intent: 'canceled',
    });
    const { question } = await states(t, questionId);
    expect(question.decline_reason).toBe('Offer below minimum threshold of $100.00');
    expect(question.expert_reviewed_at).not.toBeNull();
  });

  it('DD accepted before it expires: paid / offer_accepted with the SLA set, payment accepted, still held', async () => {
    const e = await expertWithToken(t);
    const { questionId } = await askDeepDive(t, e, 20000);
    t.clock.advance(23 * HOUR);
    const res = await t.app.inject({ method: 'POST', url: `/offers/${questionId}/accept`, headers: e.auth });
    expect(res.statusCode).toBe(200);
    expect(await lifecycle(t, questionId)).toEqual({
      status: 'paid',
      pricing_status: 'offer_accepted',
      payment: 'accepted',
      pending_action: null,
      intent: 'requires_capture',
    });
    const { question, payment } = await states(t, questionId);
    expect(question.sla_start_time?.getTime()).toBe(t.clock.now.getTime());
    expect(question.sla_deadline?.getTime()).toBe(t.clock.now.getTime() + 48 * HOUR);
    expect(payment.accepted_at?.getTime()).toBe(t.clock.now.getTime());
  });

  it('DD declined: declined / offer_declined, payment refunded, intent canceled', async () => {
    const e = await expertWithToken(t);
    const { questionId } = await askDeepDive(t, e, 20000);
    const res = await t.app.inject({
      method: 'POST',
      url: `/offers/${questionId}/decline`,
      headers: e.auth,
      payload: { decline_reason: 'Not my field' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ success: true, status: 'offer_declined', payment_canceled: true });
    expect(await lifecycle(t, questionId)).toEqual({
      status: 'declined',
      pricing_status: 'offer_declined',
      payment: 'refunded',
      pending_action: null,
      intent: 'canceled',
    });
    expect((await states(t, questionId)).question.decline_reason).toBe('Not my field');
  });

  it('DD not accepted within 24 h (offer job): declined / offer_expired, payment refunded, intent canceled', async () => {
    const e = await expertWithToken(t);
    const { questionId } = await askDeepDive(t, e, 20000);
    t.clock.advance(23 * HOUR);
    expect(await expireOffer(t.ctx, questionId)).toBe(false);
    t.clock.advance(HOUR + 1);
    expect(await expireDue(t.ctx, 'offer')).toContain(questionId);
    expect(await lifecycle(t, questionId)).toEqual({
      status: 'declined',
      pricing_status: 'offer_expired',
      payment: 'refunded',
      pending_action: null,
      intent: 'canceled',
    });
    expect((await states(t, questionId)).question.decline_reason).toBe('Offer expired - not accepted within 24 hours');
    expect(await expireOffer(t.ctx, questionId)).toBe(false);
  });

  it('answered: closed with answered_at, payment captured, intent succeeded', async () => {
    const e = await expertWithToken(t);
    const { questionId } = await askQuickConsult(t, e);
    const res = await t.app.inject({
      method: 'POST',
      url: '/answer',
      headers: e.auth,
      payload: { question_id: questionId, text_response: 'Charge more.' },
    });
    expect(res.statusCode).toBe(200);
    expect(await lifecycle(t, questionId)).toEqual({
      status: 'closed',
      pricing_status: 'paid',
      payment: 'captured',
      pending_action: null,
      intent: 'succeeded',
    });
    const { question, payment, intent } = await states(t, questionId);
    expect(question.answered_at?.getTime()).toBe(t.clock.now.getTime());
    expect(payment.captured_at?.getTime()).toBe(t.clock.now.getTime());
    expect(payment.capture_attempted).toBe(true);
    expect(intent.amount_received).toBe(5000);
  });

  it('answered Deep Dive: closed / offer_accepted, captured for the proposed price', async () => {
    const e = await expertWithToken(t);
    const { questionId } = await askDeepDive(t, e, 31000);
    await t.app.inject({ method: 'POST', url: `/api/offers-accept`, headers: e.auth, payload: { id: questionId } });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/answers/create',
      headers: e.auth,
      payload: { question_id: questionId, text_response: 'Deep answer' },
    });
    expect(res.statusCode).toBe(201);
    expect(await lifecycle(t, questionId)).toEqual({
      status: 'closed',
      pricing_status: 'offer_accepted',
      payment: 'captured',
      pending_action: null,
      intent: 'succeeded',
    });
    expect((await states(t, questionId)).intent.amount_received).toBe(31000);
  });

  it('SLA passed (SLA job): declined, payment refunded, intent canceled', async () => {
    const e = await expertWithToken(t);
    const { questionId } = await askQuickConsult(t, e);
    t.clock.advance(24 * HOUR);
    expect(await expireSla(t.ctx, questionId)).toBe(false);
    t.clock.advance(1);
    expect(await expireDue(t.ctx, 'sla')).toContain(questionId);
    expect(await lifecycle(t, questionId)).toEqual({
      status: 'declined',
      pricing_status: 'paid',
      payment: 'refunded',
      pending_action: null,
      intent: 'canceled',
    });
    expect((await states(t, questionId)).question.decline_reason).toBe('SLA expired - question not answered within deadline');
  });

  it('expert refund of an unanswered question: refunded / refunded, payment refunded, intent canceled', async () => {
    const e = await expertWithToken(t);
    const { questionId } = await askQuickConsult(t, e);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/questions/refund',
      headers: e.auth,
      payload: { question_id: questionId, refund_reason: 'Cannot help' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true, question_id: questionId, status: 'refunded', payment_canceled: true });
    expect(await lifecycle(t, questionId)).toEqual({
      status: 'refunded',
      pricing_status: 'refunded',
      payment: 'refunded',
      pending_action: null,
      intent: 'canceled',
    });
    const { question } = await states(t, questionId);
    expect(question.refund_reason).toBe('Cannot help');
    expect(question.refunded_at?.getTime()).toBe(t.clock.now.getTime());
  });

  it('expert refund after capture: 400 (X path, as Xano) with what to do, nothing changes', async () => {
    const e = await expertWithToken(t);
    const { questionId } = await askQuickConsult(t, e);
    await t.app.inject({ method: 'POST', url: '/answer', headers: e.auth, payload: { question_id: questionId, text_response: 'Done' } });
    const before = await lifecycle(t, questionId);
    const res = await t.app.inject({ method: 'POST', url: `/question/${questionId}/refund`, headers: e.auth, payload: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('payment_already_captured');
    expect(res.json().error).toMatch(/dashboard/);
    expect(await lifecycle(t, questionId)).toEqual(before);
  });
});
