/**
 * Carrying out the provider calls that a transaction decided (payment.pending_action): capture
 * after an answer, release after every other ending. The deciding transaction also queues a
 * payment-action job; the request tries once right after its commit, and the job retries until the
 * provider confirms. Safe to run twice at once: the provider calls are idempotent and only the
 * first confirmation changes the payment row.
 */
import type { Kysely } from 'kysely';
import type { AppContext } from '../context.ts';
import type { DB } from '../db/schema.ts';
import { drainQueue } from '../job-queue/drain.ts';
import type { JobQueue } from '../job-queue/queue.ts';
import { PaymentProviderError } from '../payment-provider/provider.ts';
import {
  abandonPaymentAction,
  completePaymentAction,
  findPaymentById,
  listPendingPaymentActions,
  postponePaymentAction,
  schedulePaymentAction,
} from './queries.ts';

export type ActionOutcome = 'done' | 'retry_scheduled' | 'abandoned' | 'nothing_to_do';
type Action = 'capture' | 'cancel';

/** The request that decides tries first; the job waits this long before its first try. */
const JOB_DELAY_SECONDS = 60;

/** Thrown by the job's attempt on a retryable provider failure: pg-boss retries with back-off. */
class RetryPaymentActionError extends Error {}

/** One job per decision: the key names the payment, the action and the moment it was decided. */
const actionKey = (paymentId: number, action: Action, decidedAt: Date) => `payment:${paymentId}:${action}:${decidedAt.getTime()}`;

/**
 * Decides a capture or release inside the caller's transaction: the payment row's pending_action
 * and the job that will see it through commit together. Returns false when the payment is not in a
 * state that allows it (nothing recorded, nothing queued).
 */
export async function decidePaymentAction(jobs: JobQueue, trx: Kysely<DB>, paymentId: number, action: Action, now: Date): Promise<boolean> {
  if (!(await schedulePaymentAction(trx, paymentId, action, now))) return false;
  await jobs.send(trx, 'payment-action', { paymentId, action }, { key: actionKey(paymentId, action, now), startAfter: JOB_DELAY_SECONDS });
  return true;
}

export async function runPaymentAction(ctx: AppContext, paymentId: number, opts: { fromQueue?: boolean } = {}): Promise<ActionOutcome> {
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
      await postponePaymentAction(ctx.db, payment.id, action, `${e.code}: ${e.message}`, now);
      ctx.log.warn({ paymentId, action, code: e.code }, 'payment provider call failed; the payment-action job retries it');
      if (opts.fromQueue) throw new RetryPaymentActionError(`${e.code}: ${e.message}`);
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

/** Before an operator's retry: only an action the payment row still records is carried out. */
export async function paymentActionPending(trx: Kysely<DB>, paymentId: number, action: Action): Promise<string | null> {
  const payment = await findPaymentById(trx, paymentId);
  if (!payment) return `payment ${paymentId} no longer exists.`;
  if (payment.pending_action !== action) return `payment ${paymentId} has no pending ${action} (status ${payment.status}).`;
  return null;
}

/** The payment-action queue gave up (every retry failed): the row keeps its pending_action and last error for the operator. */
export async function paymentActionDeadLettered(ctx: AppContext, paymentId: number): Promise<void> {
  ctx.log.error({ paymentId }, 'payment action failed every retry; needs an operator (quickchat jobs retry)');
}

/**
 * Gives every unconfirmed action its job (idempotent: the key is the one its decision used) — for
 * rows decided before payments moved onto pg-boss — and works the due jobs once, in this process.
 */
export async function runDuePaymentActions(ctx: AppContext, opts: { limit?: number } = {}) {
  const pending = await listPendingPaymentActions(ctx.db, opts.limit ?? 100);
  await ctx.jobs.sendMany(
    ctx.db,
    'payment-action',
    pending.flatMap((p) =>
      p.pending_action
        ? [
            {
              payload: { paymentId: p.id, action: p.pending_action },
              key: actionKey(p.id, p.pending_action, p.action_due_at ?? new Date(0)),
            },
          ]
        : [],
    ),
  );
  const counts: Record<ActionOutcome, number> = { done: 0, retry_scheduled: 0, abandoned: 0, nothing_to_do: 0 };
  const r = await drainQueue(ctx.jobs, 'payment-action', opts.limit ?? 100, async ({ paymentId }) => {
    try {
      counts[await runPaymentAction(ctx, paymentId, { fromQueue: true })] += 1;
    } catch (err) {
      if (err instanceof RetryPaymentActionError) counts.retry_scheduled += 1;
      throw err;
    }
  });
  return { due: r.done + r.failed, ...counts };
}
