import { type Insertable, type Kysely, sql } from 'kysely';
import { deleteByIds } from '../db/delete.ts';
import type { AnswerTable, DB } from '../db/schema.ts';

type Q = Kysely<DB>;

export function insertAnswer(trx: Q, values: Insertable<AnswerTable>) {
  return trx.insertInto('answer').values(values).returningAll().executeTakeFirstOrThrow();
}

export function findAnswerOfQuestion(db: Q, questionId: number) {
  return db.selectFrom('answer').selectAll().where('question_id', '=', questionId).executeTakeFirst();
}

export function findMediaAsset(db: Q, id: number) {
  return db.selectFrom('media_asset').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Answers of an erased account (account erasure): returns how many went. */
export function deleteAnswers(trx: Q, ids: number[]) {
  return deleteByIds(trx, 'answer', ids);
}

/** The asker's rating text and testimonial consent go; the expert's answer stays with the expert. */
export async function scrubAnswerFeedback(trx: Q, questionIds: number[]) {
  if (!questionIds.length) return 0;
  const r = await sql`
    UPDATE answer SET feedback_text = NULL, allow_testimonial = false
    WHERE question_id = ANY(${questionIds}::bigint[]) AND (feedback_text IS NOT NULL OR allow_testimonial)`.execute(trx);
  return Number(r.numAffectedRows ?? 0);
}
