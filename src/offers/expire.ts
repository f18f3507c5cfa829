/**
 * The two timed endings of the lifecycle, for the cron jobs: a Deep Dive offer not accepted by
 * offer_expires_at, and a question not answered by its SLA deadline. Both decline the question
 * and release the hold (the legacy crons left the payment row untouched and picked offers by
 * created_at; these use the deadlines themselves). Safe to run twice: a question that already
 * moved on is skipped. E-mail 6 is left to the job that calls these.
 */
import type { AppContext } from '../context.ts';
import type { Db } from '../db/index.ts';
import { decidePaymentAction, runPaymentAction } from '../payments/actions.ts';
import { lockPaymentByQuestion } from '../payments/queries.ts';
import { lockQuestion, updateQuestion } from '../questions/queries.ts';

const OFFER_EXPIRED_REASON = 'Offer expired - not accepted within 24 hours';
const SLA_EXPIRED_REASON = 'SLA expired - question not answered within deadline';

export type ExpiryKind = 'offer' | 'sla';
type Kind = ExpiryKind;

/** Called inside the expiry's transaction with the updated question (e.g. to queue e-mail 6). */
export type OnExpired = (trx: Db, q: Awaited<ReturnType<typeof updateQuestion>>) => Promise<void>;

async function expireOne(ctx: AppContext, id: number, kind: Kind, onExpired?: OnExpired): Promise<boolean> {
  const now = ctx.now();
  const paymentId = await ctx.db.transaction().execute(async (trx) => {
    const q = await lockQuestion(trx, id);
    if (q?.status !== 'paid' || q.answered_at) return undefined;
    if (kind === 'offer' && (q.pricing_status !== 'offer_pending' || !q.offer_expires_at || q.offer_expires_at > now)) return undefined;
    if (kind === 'sla' && (!q.sla_deadline || q.sla_deadline >= now || q.pricing_status === 'offer_pending')) return undefined;
    const payment = await lockPaymentByQuestion(trx, id);
    if (payment && !payment.pending_action) await decidePaymentAction(ctx.jobs, trx, payment.id, 'cancel', now);
    const updated = await updateQuestion(trx, id, {
      status: 'declined',
      ...(kind === 'offer'
        ? { pricing_status: 'offer_expired' as const, decline_reason: OFFER_EXPIRED_REASON }
        : { decline_reason: SLA_EXPIRED_REASON, sla_missed: true }),
    });
    await onExpired?.(trx, updated);
    return payment?.id ?? null;
  });
  if (paymentId === undefined) return false;
  if (paymentId !== null) await runPaymentAction(ctx, paymentId);
  return true;
}

export const expireOffer = (ctx: AppContext, id: number, onExpired?: OnExpired) => expireOne(ctx, id, 'offer', onExpired);
export const expireSla = (ctx: AppContext, id: number, onExpired?: OnExpired) => expireOne(ctx, id, 'sla', onExpired);

/** The ids of offers or SLAs due now, oldest deadline first. */
export async function selectDue(ctx: AppContext, kind: Kind, limit = 500): Promise<number[]> {
  const now = ctx.now();
  let q = ctx.db.selectFrom('question').select('id').where('status', '=', 'paid').where('answered_at', 'is', null);
  q =
    kind === 'offer'
      ? q.where('pricing_status', '=', 'offer_pending').where('offer_expires_at', '<=', now).orderBy('offer_expires_at')
      : q.where('pricing_status', '!=', 'offer_pending').where('sla_deadline', '<', now).orderBy('sla_deadline');
  return (await q.limit(limit).execute()).map((r) => r.id);
}

/** Every due offer or SLA, oldest first; returns the ids that were expired by this run. */
export async function expireDue(ctx: AppContext, kind: Kind, limit = 500): Promise<number[]> {
  const ids = await selectDue(ctx, kind, limit);
  const expired: number[] = [];
  for (const id of ids) if (await expireOne(ctx, id, kind)) expired.push(id);
  return expired;
}
