import type { Kysely, Updateable } from 'kysely';
import { deleteByIds } from '../db/delete.ts';
import type { DB, ExpertProfileTable, UserTable } from '../db/schema.ts';

type Q = Kysely<DB>;

export async function findProfileByUserId(db: Q, userId: number) {
  return db.selectFrom('expert_profile').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/** Creates the default profile unless the user has one; ON CONFLICT makes concurrent calls safe. */
export async function insertDefaultProfile(db: Q, userId: number, now: Date) {
  await db
    .insertInto('expert_profile')
    .values({ user_id: userId, price_cents: 5000, sla_hours: 24, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
}

/** Writes the whole profile, creating it when missing (one statement: no race with bootstrap). */
export async function upsertProfile(db: Q, userId: number, values: Updateable<ExpertProfileTable>, now: Date) {
  return db
    .insertInto('expert_profile')
    .values({ ...values, user_id: userId, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...values, updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateProfileByUserId(db: Q, userId: number, set: Updateable<ExpertProfileTable>) {
  return db.updateTable('expert_profile').set(set).where('user_id', '=', userId).returningAll().executeTakeFirst();
}

export async function findProfileOwnerByHandle(db: Q, handle: string) {
  return db.selectFrom('expert_profile').select(['id', 'user_id']).where('handle', '=', handle).executeTakeFirst();
}

/** A public profile and its owner's display name; undefined for an unknown or private handle. */
export async function findPublicProfileByHandle(db: Q, handle: string) {
  return db
    .selectFrom('expert_profile')
    .innerJoin('user', 'user.id', 'expert_profile.user_id')
    .selectAll('expert_profile')
    .select('user.name as owner_name')
    .where('expert_profile.handle', '=', handle)
    .where('expert_profile.public', '=', true)
    .executeTakeFirst();
}

export async function updateUserAccount(db: Q, userId: number, set: Updateable<UserTable>) {
  return db.updateTable('user').set(set).where('id', '=', userId).returningAll().executeTakeFirstOrThrow();
}

/** The expert a question, a payment hold or a campaign visit is for: pricing terms and contact. */
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

/** Handles match exactly (case-sensitive), as the legacy lookup and the public profile did. */
export function findExpertByHandle(db: Q, handle: string) {
  return expertQuery(db).where('expert_profile.handle', '=', handle).executeTakeFirst();
}

export function findExpertById(db: Q, id: number) {
  return expertQuery(db).where('expert_profile.id', '=', id).executeTakeFirst();
}

/** The profile id and handle of a user (null-ish when the user has no profile yet). */
export function findProfileIdOfUser(db: Q, userId: number) {
  return db.selectFrom('expert_profile').select(['id', 'handle']).where('user_id', '=', userId).executeTakeFirst();
}

/** What the asker's review page shows of the expert: public fields only. */
export function findExpertCard(db: Q, profileId: number) {
  return db
    .selectFrom('expert_profile')
    .innerJoin('user', 'user.id', 'expert_profile.user_id')
    .select(['expert_profile.handle', 'expert_profile.avatar_url', 'expert_profile.professional_title', 'user.name'])
    .where('expert_profile.id', '=', profileId)
    .executeTakeFirst();
}

/** The profile of an erased account: returns how many rows went. */
export function deleteProfile(trx: Q, id: number) {
  return deleteByIds(trx, 'expert_profile', [id]);
}
