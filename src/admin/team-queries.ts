/** Team management of the legacy admin console (src/admin-console): admin_users rows are written here, in their own folder. */
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { adminSelect } from './queries.ts';

/** Ends the sessions of these admins for good: new ones need a main-app sign-in after `now`. */
export async function revokeAdminSessions(db: Db, adminIds: number[] | 'all-enabled', now: Date): Promise<number> {
  let q = db
    .updateTable('admin_users')
    .set((eb) => ({ token_version: eb('token_version', '+', 1), sessions_revoked_at: now, updated_at: now }));
  q = adminIds === 'all-enabled' ? q.where('disabled', '=', false) : q.where('id', 'in', adminIds.length ? adminIds : [0]);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** The console's team list: enabled admins with their last audited action. */
export function listTeam(db: Db) {
  return adminSelect(db)
    .select((eb) =>
      eb
        .selectFrom('admin_audit_log as l')
        .whereRef('l.admin_user_id', '=', 'a.id')
        .select(sql<Date | null>`max(l.created_at)`.as('m'))
        .as('last_activity'),
    )
    .where('a.disabled', '=', false)
    .orderBy('a.id')
    .execute();
}

export function findUserById(db: Db, id: number) {
  return db.selectFrom('user').select(['id', 'email', 'name']).where('id', '=', id).executeTakeFirst();
}

export function findAdminRowByUserId(db: Db, userId: number) {
  return db.selectFrom('admin_users').select(['id', 'disabled']).where('user_id', '=', userId).forUpdate().executeTakeFirst();
}

export function insertAdminRow(db: Db, userId: number, role: 'super_admin' | 'support_admin', now: Date) {
  return db
    .insertInto('admin_users')
    .values({ user_id: userId, role, created_at: now, updated_at: now })
    .returning(['id', 'role', 'created_at'])
    .executeTakeFirstOrThrow();
}

/** Re-enables a removed admin with its new role; its old sessions stay revoked. */
export function reenableAdminRow(db: Db, adminId: number, role: 'super_admin' | 'support_admin', now: Date) {
  return db
    .updateTable('admin_users')
    .set((eb) => ({ disabled: false, role, token_version: eb('token_version', '+', 1), updated_at: now }))
    .where('id', '=', adminId)
    .returning(['id', 'role', 'created_at'])
    .executeTakeFirstOrThrow();
}

export async function setUserNameIfEmpty(db: Db, userId: number, name: string): Promise<void> {
  await db.updateTable('user').set({ name }).where('id', '=', userId).where('name', '=', '').execute();
}

export function findEnabledAdminForUpdate(db: Db, adminId: number) {
  return db
    .selectFrom('admin_users')
    .select(['id', 'role'])
    .where('id', '=', adminId)
    .where('disabled', '=', false)
    .forUpdate()
    .executeTakeFirst();
}

export async function disableAdminRow(db: Db, adminId: number, now: Date): Promise<void> {
  await db
    .updateTable('admin_users')
    .set((eb) => ({ disabled: true, token_version: eb('token_version', '+', 1), sessions_revoked_at: now, updated_at: now }))
    .where('id', '=', adminId)
    .execute();
}
