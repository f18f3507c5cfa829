/**
 * Expert refund of an unanswered question: the hold is released (never captured). A captured
 * payment cannot be released: that needs a real refund at the provider, which the 409 explains.
 */
import type { AuthUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import { conflict, notFound } from '../errors.ts';
import { decidePaymentAction, runPaymentAction } from '../payments/actions.ts';
import { findPaymentByQuestion, lockPaymentByQuestion } from '../payments/queries.ts';
import { lockQuestion, updateQuestion } from './queries.ts';
import { assertOwner, loadOwnedQuestion, profileIdOf } from './service.ts';

const captured = () =>
  conflict(
    'This payment was already captured, so the hold cannot be released. Refund it from the payment provider’s dashboard (or contact support).',
    'payment_already_captured',
  );

export async function refundQuestion(ctx: AppContext, user: AuthUser, id: number, reason: string | null) {
  const profileId = await profileIdOf(ctx.db, user);
  // The provider is the truth about money: a payment captured there is never "released" here.
  await loadOwnedQuestion(ctx.db, user, id);
  const before = await findPaymentByQuestion(ctx.db, id);
  if (before) {
    const intent = await ctx.payments.retrieveIntent(before.stripe_payment_intent_id).catch(() => null);
    if (intent?.status === 'succeeded') throw captured();
  }
  const now = ctx.now();
  const { paymentId, question } = await ctx.db.transaction().execute(async (trx) => {
    const q = await lockQuestion(trx, id);
    if (!q) throw notFound(`Question ${id} does not exist.`, 'question_not_found');
    assertOwner(q, profileId);
    if (q.status === 'refunded') throw conflict('This question was already refunded.', 'already_refunded');
    const payment = await lockPaymentByQuestion(trx, id);
    if (payment?.status === 'captured') throw captured();
    if (q.answered_at || q.status === 'closed' || q.status === 'answered') {
      throw conflict(
        'Answered questions are charged and cannot be refunded here. Refund it from the payment provider’s dashboard.',
        'already_answered',
      );
    }
    if (!payment) throw notFound('This question has no payment record.', 'payment_not_found');
    if (payment.pending_action)
      throw conflict('A payment change is already in progress for this question; try again in a minute.', 'payment_action_pending');
    if (payment.status !== 'authorized' && payment.status !== 'accepted') {
      throw conflict(
        `The hold of this question is already ${payment.status === 'refunded' ? 'released' : payment.status}: nothing to refund.`,
        'not_refundable',
      );
    }
    await decidePaymentAction(ctx.jobs, trx, payment.id, 'cancel', now);
    const updated = await updateQuestion(trx, id, {
      status: 'refunded',
      pricing_status: 'refunded',
      refunded_at: now,
      refund_reason: reason?.trim() || null,
    });
    return { paymentId: payment.id, question: updated };
  });
  const outcome = await runPaymentAction(ctx, paymentId);
  return { success: true, question_id: question.id, status: question.status, payment_canceled: outcome === 'done' };
}
