import type { Insertable, Kysely } from 'kysely';
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
