/**
 * The provider ended a hold on its own (Stripe: `payment_intent.canceled` with cancellation_reason
 * `automatic`, or `charge.expired`): the money is gone, so the payment ends as failed, an unanswered
 * question becomes `hold_expired` (out of the pending inbox, not answerable) and the asker is told —
 * all in one transaction, and only once: a replayed event finds the payment already failed.
 */
import type { AppContext } from '../context.ts';
import { queueEmail } from '../email/outbox.ts';
import type { ProviderEvent } from '../payment-provider/provider.ts';
import { holdExpiredEmail } from '../payments/hold-emails.ts';
import { markHoldExpired } from '../payments/hold-queries.ts';
import { completePaymentAction, findPaymentByIntent, lockPaymentByQuestion } from '../payments/queries.ts';
import { lockQuestionOfPayment, markQuestionHoldExpired } from '../questions/queries.ts';

export const isHoldExpiry = (event: ProviderEvent): boolean =>
  event.type === 'charge.expired' || (event.type === 'payment_intent.canceled' && event.intent?.cancellationReason === 'automatic');

/** Applies an expired hold; true when it changed something. */
export async function applyHoldExpiry(ctx: AppContext, intentId: string): Promise<boolean> {
  const found = await findPaymentByIntent(ctx.db, intentId);
  if (!found?.question_id) return false;
  const questionId = found.question_id;
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    const q = await lockQuestionOfPayment(trx, questionId);
    const payment = await lockPaymentByQuestion(trx, questionId);
    if (!q || !payment || payment.stripe_payment_intent_id !== intentId) return false;
    if (payment.status !== 'authorized' && payment.status !== 'accepted') return false;
    // A release we had decided is simply done: the hold is gone either way.
    if (payment.pending_action === 'cancel') return Boolean(await completePaymentAction(trx, payment.id, 'cancel', now));
    await markHoldExpired(trx, payment.id, now);
    if (!(await markQuestionHoldExpired(trx, q.id))) {
      // Answered with the capture still pending: the expert's answer went out unpaid.
      ctx.log.warn({ questionId: q.id, intentId, status: q.status }, 'card hold expired on a question that is not pending');
      return true;
    }
    const mail = holdExpiredEmail({
      expertName: q.expert_name || q.expert_handle || 'The expert',
      title: q.title,
      amountCents: q.final_price_cents ?? q.price_cents,
    });
    await queueEmail(ctx.jobs, trx, { template: 'hold-expired', to: q.payer_email, dedupeKey: `hold-expired:${q.id}`, ...mail }, now);
    return true;
  });
}
