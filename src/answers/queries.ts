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

/** Whether the recording was uploaded by a signed-in user other than `userId` (then it is theirs, not the caller's). */
export async function mediaAssetUploadedByOther(db: Q, mediaAssetId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('upload_session')
    .select('id')
    .where('media_asset_id', '=', mediaAssetId)
    .where('user_id', 'is not', null)
    .where('user_id', '<>', userId)
    .limit(1)
    .executeTakeFirst();
  return Boolean(row);
}
