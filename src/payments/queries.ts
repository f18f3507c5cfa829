import type { Kysely } from 'kysely';
import type { DB, PaymentTable } from '../db/schema.ts';

type Q = Kysely<DB>;
type Action = NonNullable<PaymentTable['pending_action']>;

export function insertPayment(
  trx: Q,
  p: { questionId: number; intentId: string; amount: number; currency: string; tier: string; authorizedAt: Date | null; now: Date },
) {
  return trx
    .insertInto('payment')
    .values({
      question_id: p.questionId,
      stripe_payment_intent_id: p.intentId,
      amount_cents: p.amount,
      currency: p.currency,
      status: 'authorized',
      question_type: p.tier,
      authorized_at: p.authorizedAt,
      created_at: p.now,
      updated_at: p.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findPaymentByQuestion(db: Q, questionId: number) {
  return db.selectFrom('payment').selectAll().where('question_id', '=', questionId).executeTakeFirst();
}

export function findPaymentById(db: Q, id: number) {
  return db.selectFrom('payment').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findPaymentByIntent(db: Q, intentId: string) {
  return db.selectFrom('payment').selectAll().where('stripe_payment_intent_id', '=', intentId).executeTakeFirst();
}

export function lockPaymentByQuestion(trx: Q, questionId: number) {
  return trx.selectFrom('payment').selectAll().where('question_id', '=', questionId).forUpdate().executeTakeFirst();
}

export async function paymentIntentIsUsed(db: Q, intentId: string): Promise<boolean> {
  return Boolean(await findPaymentByIntent(db, intentId));
}

/** Records the decision to capture or release, in the transaction that makes it. */
export function schedulePaymentAction(trx: Q, paymentId: number, action: Action, now: Date) {
  return trx
    .updateTable('payment')
    .set({
      pending_action: action,
      action_due_at: now,
      ...(action === 'capture' ? { capture_attempted: true } : {}),
      updated_at: now,
    })
    .where('id', '=', paymentId)
    .where('status', 'in', ['authorized', 'accepted'])
    .execute();
}

export function markPaymentAccepted(trx: Q, paymentId: number, now: Date) {
  return trx
    .updateTable('payment')
    .set({ status: 'accepted', accepted_at: now, updated_at: now })
    .where('id', '=', paymentId)
    .where('status', '=', 'authorized')
    .execute();
}

/** The provider confirmed the pending action; only the first confirmation changes the row. */
export function completePaymentAction(db: Q, paymentId: number, action: Action, now: Date) {
  const done =
    action === 'capture'
      ? { status: 'captured' as const, captured_at: now, capture_failed: false }
      : { status: 'refunded' as const, refunded_at: now };
  return db
    .updateTable('payment')
    .set({ ...done, pending_action: null, action_due_at: null, error_message: null, updated_at: now })
    .where('id', '=', paymentId)
    .where('pending_action', '=', action)
    .returningAll()
    .executeTakeFirst();
}

/** A retryable failure: keep the action, count the attempt, try again at `retryAt`. */
export function postponePaymentAction(db: Q, paymentId: number, action: Action, error: string, retryAt: Date, now: Date) {
  return db
    .updateTable('payment')
    .set((eb) => ({
      retry_count: eb('retry_count', '+', 1),
      error_message: error.slice(0, 1000),
      action_due_at: retryAt,
      ...(action === 'capture' ? { capture_failed: true } : {}),
      updated_at: now,
    }))
    .where('id', '=', paymentId)
    .where('pending_action', '=', action)
    .execute();
}

/** A permanent failure: the provider's state forbids the action; record what it is instead. */
export function abandonPaymentAction(db: Q, paymentId: number, action: Action, error: string, status: PaymentTable['status'], now: Date) {
  return db
    .updateTable('payment')
    .set({
      status,
      pending_action: null,
      action_due_at: null,
      error_message: error.slice(0, 1000),
      ...(action === 'capture' ? { capture_failed: true } : {}),
      updated_at: now,
    })
    .where('id', '=', paymentId)
    .where('pending_action', '=', action)
    .execute();
}

export async function listDuePaymentActions(db: Q, now: Date, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('payment')
    .select('id')
    .where('pending_action', 'is not', null)
    .where('action_due_at', '<=', now)
    .orderBy('action_due_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
