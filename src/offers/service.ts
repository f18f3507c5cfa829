/**
 * Deep Dive offers: pending → accepted | declined (| expired, by the offer job). Each transition
 * locks the question row, so two accepts, or an accept racing a decline, end with one outcome;
 * every transition the lifecycle does not allow is a 409 that changes nothing.
 */
import type { AuthUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { conflict, notFound } from '../errors.ts';
import { decidePaymentAction, runPaymentAction } from '../payments/actions.ts';
import { lockPaymentByQuestion, markPaymentAccepted } from '../payments/queries.ts';
import { lockQuestion, type QuestionRow, updateQuestion } from '../questions/queries.ts';
import { assertOwner, profileIdOf } from '../questions/service.ts';
import { ms } from '../questions/shapes.ts';

const HOUR = 3600_000;

function assertPendingOffer(q: QuestionRow): void {
  if (q.question_tier !== 'deep_dive') {
    throw conflict('This is a Quick Consult question: there is no offer to accept or decline.', 'not_an_offer');
  }
  if (q.pricing_status !== 'offer_pending' || q.status !== 'paid') {
    throw conflict(`This offer is no longer pending (it is ${q.pricing_status.replace('offer_', '')}).`, 'offer_not_pending');
  }
}

async function lockOwned(trx: Parameters<typeof lockQuestion>[0], id: number, profileId: number) {
  const q = await lockQuestion(trx, id);
  if (!q) throw notFound(`Question ${id} does not exist.`, 'question_not_found');
  assertOwner(q, profileId);
  return q;
}

export async function acceptOffer(ctx: AppContext, user: AuthUser, id: number) {
  const profileId = await profileIdOf(ctx.db, user);
  const now = ctx.now();
  const q = await ctx.db.transaction().execute(async (trx) => {
    const current = await lockOwned(trx, id, profileId);
    assertPendingOffer(current);
    if (!current.offer_expires_at || current.offer_expires_at.getTime() <= now.getTime()) {
      throw conflict('This offer expired (24 hours passed); the asker’s hold is released.', 'offer_expired');
    }
    const payment = await lockPaymentByQuestion(trx, id);
    if (payment?.status !== 'authorized' || payment.pending_action) {
      throw conflict('The payment hold of this offer is not available any more; it cannot be accepted.', 'payment_not_held');
    }
    const slaHours = current.sla_hours_snapshot ?? 48;
    await markPaymentAccepted(trx, payment.id, now);
    return updateQuestion(trx, id, {
      pricing_status: 'offer_accepted',
      sla_hours_snapshot: slaHours,
      sla_start_time: now,
      sla_deadline: new Date(now.getTime() + slaHours * HOUR),
      expert_reviewed_at: now,
    });
  });
  return {
    success: true,
    question_id: q.id,
    status: q.pricing_status,
    question_status: q.status,
    sla_deadline: ms(q.sla_deadline) as number,
    sla_hours: q.sla_hours_snapshot as number,
  };
}

export async function declineOffer(ctx: AppContext, user: AuthUser, id: number, reason: string | null) {
  const profileId = await profileIdOf(ctx.db, user);
  const now = ctx.now();
  const { q, paymentId } = await ctx.db.transaction().execute(async (trx) => {
    const current = await lockOwned(trx, id, profileId);
    assertPendingOffer(current);
    const payment = await lockPaymentByQuestion(trx, id);
    if (payment) await decidePaymentAction(ctx.jobs, trx, payment.id, 'cancel', now);
    const updated = await updateQuestion(trx, id, {
      status: 'declined',
      pricing_status: 'offer_declined',
      decline_reason: reason?.trim() || 'Expert declined',
      expert_reviewed_at: now,
    });
    return { q: updated, paymentId: payment?.id ?? null };
  });
  const outcome = paymentId === null ? 'nothing_to_do' : await runPaymentAction(ctx, paymentId);
  return { success: true, question_id: q.id, status: q.pricing_status, question_status: q.status, payment_canceled: outcome === 'done' };
}
