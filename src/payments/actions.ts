/**
 * Carrying out the provider calls that a transaction decided (payment.pending_action): capture
 * after an answer, release after every other ending. Called right after the commit, and again by
 * `runDuePaymentActions` until the provider confirms. Safe to run twice at once: the provider
 * calls are idempotent and only the first confirmation changes the payment row.
 */
import type { AppContext } from '../context.ts';
import { PaymentProviderError } from './provider.ts';
import { abandonPaymentAction, completePaymentAction, findPaymentById, listDuePaymentActions, postponePaymentAction } from './queries.ts';

export type ActionOutcome = 'done' | 'retry_scheduled' | 'abandoned' | 'nothing_to_do';

/** 1 min, 2, 4 … capped at 6 h. */
export function retryDelayMs(retryCount: number): number {
  return Math.min(6 * 3600_000, 60_000 * 2 ** Math.min(retryCount, 20));
}

export async function runPaymentAction(ctx: AppContext, paymentId: number): Promise<ActionOutcome> {
  const payment = await findPaymentById(ctx.db, paymentId);
  const action = payment?.pending_action;
  if (!payment || !action) return 'nothing_to_do';
  const intentId = payment.stripe_payment_intent_id;
  try {
    const key = `${action}-payment-${payment.id}`;
    if (action === 'capture') await ctx.payments.capture(intentId, key);
    else await ctx.payments.cancel(intentId, key);
    await completePaymentAction(ctx.db, payment.id, action, ctx.now());
    return 'done';
  } catch (err) {
    const e =
      err instanceof PaymentProviderError ? err : new PaymentProviderError(String((err as Error)?.message ?? err), 'provider_error', true);
    const now = ctx.now();
    if (e.retryable) {
      const retryAt = new Date(now.getTime() + retryDelayMs(payment.retry_count));
      await postponePaymentAction(ctx.db, payment.id, action, `${e.code}: ${e.message}`, retryAt, now);
      ctx.log.warn({ paymentId, action, code: e.code, retryAt }, 'payment provider call failed; retry scheduled');
      return 'retry_scheduled';
    }
    const current = await ctx.payments.retrieveIntent(intentId).catch(() => null);
    // The provider's truth wins: a hold that is gone cannot be captured, a captured one cannot be released.
    const status =
      current?.status === 'succeeded'
        ? 'captured'
        : current?.status === 'canceled' || !current
          ? action === 'cancel'
            ? 'refunded'
            : 'failed'
          : 'failed';
    await abandonPaymentAction(ctx.db, payment.id, action, `${e.code}: ${e.message}`, status, now);
    ctx.log.error({ paymentId, action, code: e.code, providerStatus: current?.status ?? null }, 'payment action abandoned');
    return 'abandoned';
  }
}

/** The retry job: every due pending action, oldest first. Returns counts for the job log. */
export async function runDuePaymentActions(ctx: AppContext, opts: { limit?: number } = {}) {
  const ids = await listDuePaymentActions(ctx.db, ctx.now(), opts.limit ?? 100);
  const counts: Record<ActionOutcome, number> = { done: 0, retry_scheduled: 0, abandoned: 0, nothing_to_do: 0 };
  for (const id of ids) counts[await runPaymentAction(ctx, id)] += 1;
  return { due: ids.length, ...counts };
}
