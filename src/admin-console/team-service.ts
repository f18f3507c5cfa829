import { type AdminCaller, audit } from '../admin/guard.ts';
import { findUserByEmail, insertUserForAdmin } from '../admin/queries.ts';
import { ADMIN_ROLES } from '../admin/service.ts';
import {
  disableAdminRow,
  findAdminRowByUserId,
  findEnabledAdminForUpdate,
  findUserById,
  insertAdminRow,
  listTeam,
  reenableAdminRow,
  revokeAdminSessions,
  setUserNameIfEmpty,
} from '../admin/team-queries.ts';
import type { AppContext } from '../context.ts';
import type { AdminRole } from '../db/schema.ts';
import { badRequest, conflict, notFound } from '../errors.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Console logout: this admin's sessions end, and are not re-minted from the same main-app session. */
export async function endConsoleSessions(ctx: AppContext, caller: AdminCaller): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    await revokeAdminSessions(trx, [caller.adminId], now);
    await audit(trx, caller, { action: 'admin.logout' }, now);
  });
}

/** Every enabled admin (the caller too) must sign in to the main app again. */
export async function revokeAllSessions(ctx: AppContext, caller: AdminCaller): Promise<number> {
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    const affected = await revokeAdminSessions(trx, 'all-enabled', now);
    await audit(trx, caller, { action: 'team.revoke_all_sessions', targetType: 'admin_user', targetId: 'all', details: { affected } }, now);
    return affected;
  });
}

export interface NewTeamMember {
  email: string;
  name?: string | undefined;
  xano_user_id?: string | number | null | undefined;
  role?: string | undefined;
}

/**
 * Adds an admin (super_admin only, checked by the route). Least privilege: without a role the new
 * admin is a support_admin (the legacy console made everyone super_admin). The account is found by
 * its id (`xano_user_id`, our user id) or e-mail, or created so its first sign-in finds it; a
 * removed admin is re-enabled instead of refused.
 */
export async function addTeamMember(ctx: AppContext, caller: AdminCaller, input: NewTeamMember) {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw badRequest('Enter a valid e-mail address.', 'invalid_email');
  const role = (input.role ?? 'support_admin') as AdminRole;
  if (!ADMIN_ROLES.includes(role)) throw badRequest(`The role must be one of ${ADMIN_ROLES.join(', ')}.`, 'invalid_role');
  const name = (input.name ?? '').trim();
  const rawId = input.xano_user_id === undefined || input.xano_user_id === null ? '' : String(input.xano_user_id).trim();
  if (rawId && !/^[1-9][0-9]{0,17}$/.test(rawId))
    throw badRequest('xano_user_id must be the account’s numeric user id.', 'invalid_user_id');
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    let user = rawId ? await findUserById(trx, Number(rawId)) : await findUserByEmail(trx, email);
    if (rawId && !user) throw badRequest(`No account with the user id ${rawId}.`, 'user_not_found');
    if (user && user.email.toLowerCase() !== email) {
      throw badRequest('That user id belongs to an account with another e-mail address.', 'user_email_mismatch');
    }
    user ??= await insertUserForAdmin(trx, email, now);
    const existing = await findAdminRowByUserId(trx, user.id);
    if (existing && !existing.disabled) throw conflict(`${email} is already an admin.`, 'admin_exists');
    const admin = existing ? await reenableAdminRow(trx, existing.id, role, now) : await insertAdminRow(trx, user.id, role, now);
    if (name) await setUserNameIfEmpty(trx, user.id, name.slice(0, 100));
    await audit(
      trx,
      caller,
      { action: 'team.add_admin', targetType: 'admin_user', targetId: admin.id, details: { role, reenabled: Boolean(existing) } },
      now,
    );
    return { id: admin.id, email, name: user.name || name, role: admin.role, userId: user.id, created_at: admin.created_at };
  });
}

export async function removeTeamMember(ctx: AppContext, caller: AdminCaller, adminId: number): Promise<void> {
  if (adminId === caller.adminId) throw badRequest('You cannot remove yourself: ask another super admin.', 'cannot_remove_self');
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await findEnabledAdminForUpdate(trx, adminId))) throw notFound(`No admin ${adminId} on the team.`, 'admin_not_found');
    await disableAdminRow(trx, adminId, now);
    await audit(trx, caller, { action: 'team.remove_admin', targetType: 'admin_user', targetId: adminId }, now);
  });
}

/** The team screen's list (enabled and disabled admins, with their last activity). */
export const teamMembers = (ctx: AppContext) => listTeam(ctx.db);
