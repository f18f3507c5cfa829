/**
 * What the payment provider tells us happened (a signed webhook, or the simulated provider's own
 * events): settling the `payment` row, and where the event ends a hold, the question too. Here,
 * above payments and questions, because one event changes rows of both folders.
 */
import type { AppContext } from '../context.ts';
import { conflict, HttpError, notFound } from '../errors.ts';
import { PaymentProviderError, type ProviderEvent } from '../payment-provider/provider.ts';
import { completePaymentAction, findPaymentByIntent, findPaymentByQuestion } from '../payments/queries.ts';
import { applyHoldExpiry, isHoldExpiry } from './hold-expiry.ts';
import { findProcessedEvent, recordProcessedEvent } from './queries.ts';

/**
 * POST /api/webhooks/stripe (and the simulated provider's events): handled once per event id. The
 * record is written after the handling, not before it: a crash in between means the redelivery is
 * handled again, which the handlers absorb (each changes a row only from the state it expects), so
 * no event is lost to a record that outlived its failed handling.
 */
export async function handleProviderEvent(ctx: AppContext, event: ProviderEvent): Promise<{ received: true; applied: boolean }> {
  const provider = ctx.payments.kind;
  if (await findProcessedEvent(ctx.db, provider, event.id)) return { received: true, applied: false };
  const applied = await applyEvent(ctx, event);
  await recordProcessedEvent(ctx.db, { provider, eventId: event.id, type: event.type, applied, now: ctx.now() });
  return { received: true, applied };
}

/**
 * An expired hold ends the question too; any other word on an intent settles a pending action
 * that our own call could not confirm (e.g. a timeout after Stripe had captured).
 */
async function applyEvent(ctx: AppContext, event: ProviderEvent): Promise<boolean> {
  if (isHoldExpiry(event) && event.intentId) return applyHoldExpiry(ctx, event.intentId);
  const intent = event.intent;
  if (!intent) return false;
  const payment = await findPaymentByIntent(ctx.db, intent.id);
  if (!payment?.pending_action) return false;
  const settles =
    (payment.pending_action === 'capture' && intent.status === 'succeeded') ||
    (payment.pending_action === 'cancel' && intent.status === 'canceled');
  if (!settles) return false;
  return Boolean(await completePaymentAction(ctx.db, payment.id, payment.pending_action, ctx.now()));
}

/**
 * POST /api/payments/simulate/hold-expired (internal key, PAYMENTS=simulated): the simulated
 * provider lets the question's hold expire and its event goes through handleProviderEvent, the
 * webhook's own path, so tests and demos exercise exactly what Stripe's event would do.
 */
export async function simulateHoldExpiry(ctx: AppContext, questionId: number) {
  if (ctx.payments.kind !== 'simulated') {
    throw new HttpError(404, 'simulation_disabled', 'Hold expiry is simulated only with PAYMENTS=simulated.');
  }
  const payment = await findPaymentByQuestion(ctx.db, questionId);
  if (!payment) throw notFound(`Question ${questionId} does not exist or has no payment.`, 'question_not_found');
  let event: ProviderEvent;
  try {
    event = await ctx.payments.expireHold(payment.stripe_payment_intent_id);
  } catch (err) {
    if (!(err instanceof PaymentProviderError) || err.retryable) throw err;
    throw conflict(`The hold of question ${questionId} is not active any more (${err.message})`, 'payment_not_held');
  }
  const { applied } = await handleProviderEvent(ctx, event);
  return { success: true as const, question_id: questionId, applied };
}
