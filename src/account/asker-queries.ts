/** The SQL that scrubs an asker's data from rows that stay (the experts' questions and earnings). */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

type Q = Kysely<DB>;

/** What an erased asker's question keeps: its money, dates and states, none of their words. */
export const ERASED_EMAIL = 'erased@erased.invalid';
export const ERASED_TITLE = '[removed at the asker’s request]';

export async function scrubQuestions(trx: Q, ids: number[], refundIds: number[], now: Date) {
  if (!ids.length) return 0;
  const r = await sql`
    UPDATE question SET payer_email = ${ERASED_EMAIL}, payer_first_name = NULL, payer_last_name = NULL,
      title = ${ERASED_TITLE}, text = NULL, attachments = NULL, media_asset_id = NULL, asker_message = NULL,
      playback_token_hash = NULL,
      status = CASE WHEN id = ANY(${refundIds}::bigint[]) THEN 'refunded' ELSE status END,
      pricing_status = CASE WHEN id = ANY(${refundIds}::bigint[]) THEN 'refunded' ELSE pricing_status END,
      refunded_at = CASE WHEN id = ANY(${refundIds}::bigint[]) THEN ${now}::timestamptz ELSE refunded_at END,
      refund_reason = CASE WHEN id = ANY(${refundIds}::bigint[]) THEN 'asker_erased' ELSE refund_reason END
    WHERE id = ANY(${ids}::bigint[])`.execute(trx);
  return Number(r.numAffectedRows ?? 0);
}

/** The asker's rating text and testimonial consent go; the expert's answer stays with the expert. */
export async function scrubAnswerFeedback(trx: Q, questionIds: number[]) {
  if (!questionIds.length) return 0;
  const r = await sql`
    UPDATE answer SET feedback_text = NULL, allow_testimonial = false
    WHERE question_id = ANY(${questionIds}::bigint[]) AND (feedback_text IS NOT NULL OR allow_testimonial)`.execute(trx);
  return Number(r.numAffectedRows ?? 0);
}

/** The visit that brought the asker stays counted for the expert, without their browser traces. */
export async function scrubVisits(trx: Q, questionIds: number[]) {
  if (!questionIds.length) return 0;
  const r = await sql`
    UPDATE campaign_visit SET visitor_ip_hash = NULL, user_agent = NULL, referrer = NULL
    WHERE question_id = ANY(${questionIds}::bigint[])`.execute(trx);
  return Number(r.numAffectedRows ?? 0);
}

export async function hasAccount(trx: Q, email: string): Promise<boolean> {
  const r = await trx.selectFrom('user').select('id').where(sql<string>`lower(email)`, '=', email).executeTakeFirst();
  return Boolean(r);
}

export async function deleteAskerCodes(trx: Q, email: string) {
  const r = await trx.deleteFrom('privacy_code').where('purpose', '=', 'asker_erasure').where('email', '=', email).executeTakeFirst();
  return Number(r.numDeletedRows);
}
