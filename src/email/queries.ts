import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/**
 * Claims one message for a send: pending → sending, one more attempt. Returns nothing when the row
 * is not pending (already sent or failed, claimed by an attempt that died, or erased).
 */
export async function claimEmail(db: Db, id: number) {
  return db
    .updateTable('email_outbox')
    .set({ status: 'sending', attempts: sql`attempts + 1` })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returning(['id', 'template', 'to_address', 'subject', 'text_body', 'html_body', 'attempts'])
    .executeTakeFirst();
}

export async function selectUnfinishedEmailIds(db: Db): Promise<number[]> {
  const rows = await db.selectFrom('email_outbox').select('id').where('status', 'in', ['pending', 'sending']).orderBy('id').execute();
  return rows.map((r) => r.id);
}

export async function selectEmailStatus(db: Db, id: number) {
  const row = await db.selectFrom('email_outbox').select('status').where('id', '=', id).executeTakeFirst();
  return row?.status ?? null;
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

/** Back to pending after a temporary failure: the delivery job's retry (pg-boss's back-off) picks it up. */
export async function markEmailRetry(db: Db, id: number, error: string) {
  await db
    .updateTable('email_outbox')
    .set({ status: 'pending', last_error: error })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

/** Back to pending for one more round of attempts (the operator's `jobs retry`); sent rows stay sent. */
export async function revivePendingEmail(db: Db, id: number) {
  await db
    .updateTable('email_outbox')
    .set({ status: 'pending', attempts: 0, last_error: null })
    .where('id', '=', id)
    .where('status', 'in', ['failed', 'pending'])
    .execute();
}

export async function markEmailFailed(db: Db, id: number, error: string, from: ('pending' | 'sending')[] = ['sending']) {
  await db
    .updateTable('email_outbox')
    .set({ status: 'failed', last_error: error })
    .where('id', '=', id)
    .where('status', 'in', from)
    .execute();
}

/** Messages to the address, mentioning it, or about the erased questions — except `keepIds`. */
export async function deleteEmailsOf(trx: Db, email: string, dedupeKeys: string[], keepIds: number[]) {
  const r = await sql`
    DELETE FROM email_outbox
    WHERE (lower(to_address) = ${email} OR strpos(lower(text_body), ${email}) > 0 OR dedupe_key = ANY(${dedupeKeys}::text[]))
      AND NOT (id = ANY(${keepIds}::bigint[]))`.execute(trx);
  return Number(r.numAffectedRows ?? 0);
}
