import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
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
