import type { Kysely, Updateable } from 'kysely';
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
