import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { askDeepDive, askQuickConsult, expertWithToken, lifecycle } from '../../test/question-helpers.ts';
import { expireOffersJob, expireSlaJob } from './expire.ts';
import { runJob } from './runner.ts';

const HOUR = 3_600_000;

describe('expire-offers and expire-sla jobs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const mailsFor = (questionId: number) =>
    t.ctx.db.selectFrom('email_outbox').selectAll().where('dedupe_key', 'like', `%-expired:${questionId}`).execute();

  it('expires an offer not accepted by offer_expires_at: declined, hold released, asker told once', async () => {
    const e = await expertWithToken(t);
    const offer = await askDeepDive(t, e, 20000);
    const accepted = await askDeepDive(t, e, 30000);
    const acc = await t.app.inject({ method: 'POST', url: `/offers/${accepted.questionId}/accept`, headers: e.auth });
    expect(acc.statusCode).toBe(200);

    t.clock.advance(23 * HOUR);
    expect(await runJob(t.ctx, expireOffersJob, { trigger: 'schedule' })).toMatchObject({ items: 0, expired: 0 });
    expect((await lifecycle(t, offer.questionId)).pricing_status).toBe('offer_pending');

    t.clock.advance(2 * HOUR);
    const dry = await runJob(t.ctx, expireOffersJob, { trigger: 'cli', dryRun: true });
    expect(dry).toMatchObject({ items: 1, expired: 0 });
    expect((await lifecycle(t, offer.questionId)).pricing_status).toBe('offer_pending');

    expect(await runJob(t.ctx, expireOffersJob, { trigger: 'schedule' })).toMatchObject({ items: 1, expired: 1, failed: 0 });
    expect(await lifecycle(t, offer.questionId)).toMatchObject({
      status: 'declined',
      pricing_status: 'offer_expired',
      payment: 'refunded',
      pending_action: null,
      intent: 'canceled',
    });
    const q = await t.ctx.db.selectFrom('question').select('decline_reason').where('id', '=', offer.questionId).executeTakeFirstOrThrow();
    expect(q.decline_reason).toBe('Offer expired - not accepted within 24 hours');
    const mails = await mailsFor(offer.questionId);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ template: 'offer-expired', to_address: 'asker@example.test', subject: 'Offer expired – full refund' });
    expect(mails[0]?.text_body).toContain(`/r/${offer.reviewToken}`);

    expect(await runJob(t.ctx, expireOffersJob, { trigger: 'schedule' })).toMatchObject({ items: 0 });
    expect(await mailsFor(offer.questionId)).toHaveLength(1);
    expect((await lifecycle(t, accepted.questionId)).pricing_status).toBe('offer_accepted');
  });

  it('expires an unanswered question past its SLA deadline and leaves answered ones alone', async () => {
    const e = await expertWithToken(t);
    const late = await askQuickConsult(t, e);
    const answered = await askQuickConsult(t, e);
    const ans = await t.app.inject({
      method: 'POST',
      url: '/api/answers/create',
      headers: e.auth,
      payload: {
        question_id: answered.questionId,
        user_id: e.user.id,
        text_response: 'Here is my answer.',
        media_asset_id: null,
        attachments: null,
      },
    });
    expect(ans.statusCode).toBeLessThan(300);

    t.clock.advance(25 * HOUR);
    const summary = await runJob(t.ctx, expireSlaJob, { trigger: 'schedule' });
    expect(summary).toMatchObject({ failed: 0 });
    expect(summary.expired).toBeGreaterThanOrEqual(1);
    expect(await lifecycle(t, late.questionId)).toMatchObject({ status: 'declined', payment: 'refunded', intent: 'canceled' });
    const q = await t.ctx.db
      .selectFrom('question')
      .select(['sla_missed', 'decline_reason', 'pricing_status'])
      .where('id', '=', late.questionId)
      .executeTakeFirstOrThrow();
    expect(q).toEqual({ sla_missed: true, decline_reason: 'SLA expired - question not answered within deadline', pricing_status: 'paid' });
    expect(await lifecycle(t, answered.questionId)).toMatchObject({ status: 'closed', payment: 'captured', intent: 'succeeded' });
    const mails = await mailsFor(late.questionId);
    expect(mails.map((m) => m.subject)).toEqual(['No answer in time – full refund']);
  });
});
