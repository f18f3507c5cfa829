import { type Kysely, sql } from 'kysely';
import type { DB, PaymentTable } from '../db/schema.ts';

type Q = Kysely<DB>;
type Action = NonNullable<PaymentTable['pending_action']>;

export function insertPayment(
  trx: Q,
  p: {
    questionId: number;
    intentId: string;
    amount: number;
    currency: string;
    tier: string;
    authorizedAt: Date | null;
    captureBefore: Date | null;
    holdShort: boolean;
    now: Date;
  },
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
      capture_before: p.captureBefore,
      hold_short: p.holdShort,
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

/**
 * Records the decision to capture or release, in the transaction that makes it; action_due_at is
 * the moment of the decision (the payment-action job's retries keep their own schedule).
 */
export async function schedulePaymentAction(trx: Q, paymentId: number, action: Action, now: Date): Promise<boolean> {
  const r = await trx
    .updateTable('payment')
    .set({
      pending_action: action,
      action_due_at: now,
      ...(action === 'capture' ? { capture_attempted: true } : {}),
      updated_at: now,
    })
    .where('id', '=', paymentId)
    .where('status', 'in', ['authorized', 'accepted'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
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

/**
 * A failed provider call, on the row whose action is still pending: its error is kept. Without an
 * outcome the attempt is counted and the action stays for the payment-action job to retry; with
 * one, the provider's state forbids the action, so it is dropped and `status` records what it is.
 */
function failPaymentAction(
  db: Q,
  paymentId: number,
  action: Action,
  error: string,
  now: Date,
  outcome: { status: PaymentTable['status'] } | null,
) {
  return db
    .updateTable('payment')
    .set((eb) => ({
      error_message: error.slice(0, 1000),
      ...(action === 'capture' ? { capture_failed: true } : {}),
      ...(outcome ? { status: outcome.status, pending_action: null, action_due_at: null } : { retry_count: eb('retry_count', '+', 1) }),
      updated_at: now,
    }))
    .where('id', '=', paymentId)
    .where('pending_action', '=', action)
    .execute();
}

/** A retryable failure: keep the action, count the attempt; the payment-action job retries it. */
export const postponePaymentAction = (db: Q, paymentId: number, action: Action, error: string, now: Date) =>
  failPaymentAction(db, paymentId, action, error, now, null);

/** A permanent failure: the provider's state forbids the action; record what it is instead. */
export const abandonPaymentAction = (db: Q, paymentId: number, action: Action, error: string, status: PaymentTable['status'], now: Date) =>
  failPaymentAction(db, paymentId, action, error, now, { status });

/** Payments with an unconfirmed action, for the operator's requeue (`jobs run payment-actions`). */
export async function listPendingPaymentActions(db: Q, limit: number) {
  return db
    .selectFrom('payment')
    .select(['id', 'pending_action', 'action_due_at'])
    .where('pending_action', 'is not', null)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Replaces every link to the person on kept payments with pseudonyms, and dates their deletion. */
export async function pseudonymisePayments(
  trx: Q,
  rows: { id: number; payer: string }[],
  set: { expertPseudonym: string | null; retainUntil: Date | null; now: Date },
) {
  if (!rows.length) return 0;
  const r = await sql`
    UPDATE payment p SET payer_pseudonym = v.payer,
      expert_pseudonym = COALESCE(${set.expertPseudonym}::text, p.expert_pseudonym),
      retain_until = COALESCE(${set.retainUntil}::timestamptz, p.retain_until),
      updated_at = ${set.now}
    FROM unnest(${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => r.payer)}::text[]) AS v(id, payer)
    WHERE p.id = v.id`.execute(trx);
  return Number(r.numAffectedRows ?? 0);
}

/** An erased asker's kept payments: the payer becomes a pseudonym. */
export async function pseudonymisePayer(trx: Q, payments: { id: number }[], payer: string, now: Date) {
  if (!payments.length) return 0;
  const r = await trx
    .updateTable('payment')
    .set({ payer_pseudonym: payer, updated_at: now })
    .where(
      'id',
      'in',
      payments.map((p) => p.id),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
