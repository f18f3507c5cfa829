import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { DB, QuestionTable } from '../db/schema.ts';

type Q = Kysely<DB>;
export type QuestionRow = Selectable<QuestionTable>;

const EXPERT_COLUMNS = [
  'expert_profile.id',
  'expert_profile.user_id',
  'expert_profile.handle',
  'expert_profile.accepting_questions',
  'expert_profile.tier1_enabled',
  'expert_profile.tier1_price_cents',
  'expert_profile.tier1_sla_hours',
  'expert_profile.tier2_enabled',
  'expert_profile.tier2_min_price_cents',
  'expert_profile.tier2_max_price_cents',
  'expert_profile.tier2_auto_decline_below_cents',
  'expert_profile.tier2_sla_hours',
  'expert_profile.avatar_url',
  'expert_profile.professional_title',
  'user.email',
  'user.name',
] as const;

function expertQuery(db: Q) {
  return db.selectFrom('expert_profile').innerJoin('user', 'user.id', 'expert_profile.user_id').select(EXPERT_COLUMNS);
}
export type ExpertForQuestion = NonNullable<Awaited<ReturnType<typeof findExpertById>>>;

/** Handles match exactly (case-sensitive), as the legacy lookup did. */
export function findExpertByHandle(db: Q, handle: string) {
  return expertQuery(db).where('expert_profile.handle', '=', handle).executeTakeFirst();
}

export function findExpertById(db: Q, id: number) {
  return expertQuery(db).where('expert_profile.id', '=', id).executeTakeFirst();
}

export function findProfileIdOfUser(db: Q, userId: number) {
  return db.selectFrom('expert_profile').select('id').where('user_id', '=', userId).executeTakeFirst();
}

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
