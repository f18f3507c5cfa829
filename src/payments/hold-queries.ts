/** SQL of the hold deadlines on `payment` (issue #20 item 4); the question side is in src/questions. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

type Q = Kysely<DB>;

/** The hold is gone: the payment ends as failed (nothing to capture or release any more). */
export function markHoldExpired(trx: Q, paymentId: number, now: Date) {
  return trx
    .updateTable('payment')
    .set({
      status: 'failed',
      pending_action: null,
      action_due_at: null,
      error_message: 'The card hold expired at the provider.',
      updated_at: now,
    })
    .where('id', '=', paymentId)
    .where('status', 'in', ['authorized', 'accepted'])
    .executeTakeFirst();
}

/** Unanswered questions whose hold ends before `until` and whose expert was not warned yet. */
export function selectHoldsEndingSoon(db: Q, now: Date, until: Date, limit: number) {
  return db
    .selectFrom('payment')
    .innerJoin('question', 'question.id', 'payment.question_id')
    .select(['payment.id as payment_id', 'question.id as question_id'])
    .where('payment.status', 'in', ['authorized', 'accepted'])
    .where('payment.pending_action', 'is', null)
    .where('payment.hold_warning_sent_at', 'is', null)
    .where('payment.capture_before', '>', now)
    .where('payment.capture_before', '<=', until)
    .where('question.status', '=', 'paid')
    .where('question.answered_at', 'is', null)
    .orderBy('payment.capture_before')
    .limit(limit)
    .execute();
}

/** Claims the one warning of a payment: only the first caller gets the row (and sends the e-mail). */
export function claimHoldWarning(trx: Q, paymentId: number, now: Date) {
  return trx
    .updateTable('payment')
    .set({ hold_warning_sent_at: now, updated_at: now })
    .where('id', '=', paymentId)
    .where('hold_warning_sent_at', 'is', null)
    .returning('capture_before')
    .executeTakeFirst();
}

/** The expert to warn, and the question's title. */
export function expertOfQuestion(trx: Q, questionId: number) {
  return trx
    .selectFrom('question')
    .innerJoin('expert_profile', 'expert_profile.id', 'question.expert_profile_id')
    .innerJoin('user', 'user.id', 'expert_profile.user_id')
    .select(['question.title', 'user.email', 'user.name'])
    .where('question.id', '=', questionId)
    .executeTakeFirst();
}
