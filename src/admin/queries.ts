import { deleteByIds } from '../db/delete.ts';
import type { Db } from '../db/index.ts';
import { toJson } from '../db/json.ts';
import type { AdminRole } from '../db/schema.ts';

/** An admin row with the user it belongs to. */
export interface AdminRow {
  id: number;
  user_id: number;
  role: AdminRole;
  disabled: boolean;
  token_version: number;
  email: string;
  name: string;
  user_token_version: number;
  last_login_at: Date | null;
  sessions_revoked_at: Date | null;
  created_at: Date;
}

export function adminSelect(db: Db) {
  return db
    .selectFrom('admin_users as a')
    .innerJoin('user as u', 'u.id', 'a.user_id')
    .select([
      'a.id',
      'a.user_id',
      'a.role',
      'a.disabled',
      'a.token_version',
      'a.last_login_at',
      'a.sessions_revoked_at',
      'a.created_at',
      'u.email',
      'u.name',
      'u.token_version as user_token_version',
    ]);
}

export function findAdminByUserId(db: Db, userId: number): Promise<AdminRow | undefined> {
  return adminSelect(db).where('a.user_id', '=', userId).executeTakeFirst();
}

export function findAdminById(db: Db, adminId: number): Promise<AdminRow | undefined> {
  return adminSelect(db).where('a.id', '=', adminId).executeTakeFirst();
}

export function listAdmins(db: Db): Promise<AdminRow[]> {
  return adminSelect(db).orderBy('a.id').execute();
}

export async function recordAdminLogin(db: Db, adminId: number, now: Date): Promise<void> {
  await db.updateTable('admin_users').set({ last_login_at: now }).where('id', '=', adminId).execute();
}

/** Revokes every admin session of this admin. */
export async function bumpAdminTokenVersion(db: Db, adminId: number, now: Date): Promise<void> {
  await db
    .updateTable('admin_users')
    .set((eb) => ({ token_version: eb('token_version', '+', 1), updated_at: now }))
    .where('id', '=', adminId)
    .execute();
}

export function findUserByEmail(db: Db, email: string) {
  return db
    .selectFrom('user')
    .select(['id', 'email', 'name'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .orderBy('id')
    .executeTakeFirst();
}

export function insertUserForAdmin(db: Db, email: string, now: Date) {
  return db
    .insertInto('user')
    .values({ email, name: '', auth_provider: 'magic_link', auth_provider_id: email, created_at: now })
    .returning(['id', 'email', 'name'])
    .executeTakeFirstOrThrow();
}

/** Creates the admin, or sets the role of an existing one, re-enables it and revokes its sessions. */
export function upsertAdmin(db: Db, userId: number, role: AdminRole, now: Date) {
  return db
    .insertInto('admin_users')
    .values({ user_id: userId, role, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet((eb) => ({
        role,
        disabled: false,
        token_version: eb('admin_users.token_version', '+', 1),
        updated_at: now,
      })),
    )
    .returning(['id', 'role'])
    .executeTakeFirstOrThrow();
}

export function disableAdmin(db: Db, adminId: number, now: Date) {
  return db
    .updateTable('admin_users')
    .set((eb) => ({ disabled: true, token_version: eb('token_version', '+', 1), updated_at: now }))
    .where('id', '=', adminId)
    .returning(['id'])
    .executeTakeFirst();
}

export interface AuditEntry {
  adminUserId: number | null;
  actor: string;
  action: string;
  targetType?: string | null;
  targetId?: string | number | null;
  details?: Record<string, unknown>;
  requestId?: string | null;
}

export async function insertAuditRow(db: Db, e: AuditEntry, now: Date): Promise<void> {
  await db
    .insertInto('admin_audit_log')
    .values({
      admin_user_id: e.adminUserId,
      actor: e.actor,
      action: e.action,
      target_type: e.targetType ?? null,
      target_id: e.targetId === undefined || e.targetId === null ? null : String(e.targetId),
      details: toJson(e.details ?? {}),
      request_id: e.requestId ?? null,
      created_at: now,
    })
    .execute();
}

export function listAuditRows(db: Db, opts: { limit: number; beforeId?: number | undefined; action?: string | undefined }) {
  let q = db
    .selectFrom('admin_audit_log')
    .select(['id', 'admin_user_id', 'actor', 'action', 'target_type', 'target_id', 'details', 'request_id', 'created_at'])
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  if (opts.action !== undefined) q = q.where('action', '=', opts.action);
  return q.execute();
}

/** The admin rights of an erased account: returns how many rows went. */
export function deleteAdminUser(trx: Db, userId: number) {
  return deleteByIds(trx, 'admin_users', [userId], 'user_id');
}
