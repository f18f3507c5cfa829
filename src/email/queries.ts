import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/**
 * Claims up to `limit` due messages: FOR UPDATE SKIP LOCKED lets several workers (instances) run at
 * once without taking the same row. A claimed row is `sending`, and its next_attempt_at becomes the
 * lease deadline (`leaseUntil`) after which an unfinished send counts as interrupted.
 */
export async function claimDueEmails(db: Db, now: Date, leaseUntil: Date, limit: number) {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('email_outbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (!due.length) return [];
    return trx
      .updateTable('email_outbox')
      .set({ status: 'sending', attempts: sql`attempts + 1`, next_attempt_at: leaseUntil })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .returning(['id', 'template', 'to_address', 'subject', 'text_body', 'html_body', 'attempts'])
      .execute();
  });
}

/**
 * Claims whose lease ran out: the worker stopped between claiming and recording the result, so the
 * message may or may not have gone out. They become `failed` and are never retried automatically,
 * because a message must never be sent twice.
 */
export async function failAbandonedEmails(db: Db, now: Date) {
  const rows = await db
    .updateTable('email_outbox')
    .set({
      status: 'failed',
      last_error: 'Delivery was interrupted before its result was recorded; not retried so that it is never sent twice.',
    })
    .where('status', '=', 'sending')
    .where('next_attempt_at', '<', now)
    .returning('id')
    .execute();
  return rows.length;
}

/** Records a delivery. Bodies of sensitive templates (sign-in secrets) are erased once delivered. */
export async function markEmailSent(db: Db, id: number, messageId: string, now: Date, redact: boolean) {
  await db
    .updateTable('email_outbox')
    .set({
      status: 'sent',
      sent_at: now,
      provider_message_id: messageId,
      last_error: null,
      ...(redact ? { text_body: '[erased after delivery: it contained a sign-in secret]', html_body: '' } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

export async function markEmailRetry(db: Db, id: number, error: string, nextAttemptAt: Date) {
  await db
    .updateTable('email_outbox')
    .set({ status: 'pending', last_error: error, next_attempt_at: nextAttemptAt })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

export async function markEmailFailed(db: Db, id: number, error: string) {
  await db
    .updateTable('email_outbox')
    .set({ status: 'failed', last_error: error })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}
