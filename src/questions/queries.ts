import { type Insertable, type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import { deleteByIds } from '../db/delete.ts';
import type { DB, QuestionTable } from '../db/schema.ts';

type Q = Kysely<DB>;
export type QuestionRow = Selectable<QuestionTable>;

export function insertQuestion(trx: Q, values: Insertable<QuestionTable>) {
  return trx.insertInto('question').values(values).returningAll().executeTakeFirstOrThrow();
}

export function findQuestionById(db: Q, id: number) {
  return db.selectFrom('question').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Serialises every state change of one question (accept, decline, answer, refund). */
export function lockQuestion(trx: Q, id: number) {
  return trx.selectFrom('question').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateQuestion(trx: Q, id: number, set: Updateable<QuestionTable>) {
  return trx.updateTable('question').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export function setQuestionsHidden(db: Q, profileId: number, ids: number[], hidden: boolean) {
  return db
    .updateTable('question')
    .set({ hidden })
    .where('expert_profile_id', '=', profileId)
    .where('id', '=', (eb) => eb.fn.any(eb.val(ids)))
    .returning(['id', 'hidden'])
    .execute();
}

export function findMediaAssets(db: Q, ids: number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('media_asset')
    .selectAll()
    .where('id', '=', (eb) => eb.fn.any(eb.val(ids)))
    .execute();
}

export function findRatingsOfQuestions(db: Q, ids: number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('answer')
    .select(['question_id', 'rating'])
    .where('question_id', '=', (eb) => eb.fn.any(eb.val(ids)))
    .execute();
}

/** Questions of an erased expert (account erasure), after their answers: returns how many went. */
export function deleteQuestions(trx: Q, ids: number[]) {
  return deleteByIds(trx, 'question', ids);
}

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

/** The question of a payment, locked first (the order every answer and expiry takes: question, then payment). */
export function lockQuestionOfPayment(trx: Q, questionId: number) {
  return trx
    .selectFrom('question')
    .innerJoin('expert_profile', 'expert_profile.id', 'question.expert_profile_id')
    .innerJoin('user', 'user.id', 'expert_profile.user_id')
    .select([
      'question.id',
      'question.status',
      'question.title',
      'question.payer_email',
      'question.price_cents',
      'question.final_price_cents',
    ])
    .select(['user.name as expert_name', 'expert_profile.handle as expert_handle'])
    .where('question.id', '=', questionId)
    .forUpdate('question')
    .executeTakeFirst();
}

/** An unanswered question whose hold expired leaves the pending list (status `hold_expired`). */
export async function markQuestionHoldExpired(trx: Q, questionId: number): Promise<boolean> {
  const r = await trx
    .updateTable('question')
    .set({ status: 'hold_expired' })
    .where('id', '=', questionId)
    .where('status', '=', 'paid')
    .where('answered_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
