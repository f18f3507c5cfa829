import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Db } from '../db/index.ts';
import type { AdminRole } from '../db/schema.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { bearerToken } from '../http/bearer.ts';
import { ADMIN_COOKIE, readCookie } from './cookies.ts';
import { type AuditEntry, findAdminById, insertAuditRow } from './queries.ts';
import { verifyAdminSession } from './session.ts';

/** The admin behind a request, as every admin route sees it. */
export interface AdminCaller {
  adminId: number;
  userId: number;
  role: AdminRole;
  email: string;
  name: string;
  requestId: string;
}

export const ALL_ADMINS: readonly AdminRole[] = ['super_admin', 'support_admin'];
export const SUPER_ADMIN: readonly AdminRole[] = ['super_admin'];

/** The admin session comes from the `admin_session` cookie, or `Authorization: Bearer` for scripts. */
function adminToken(req: FastifyRequest): string | null {
  const cookie = readCookie(req, ADMIN_COOKIE);
  if (cookie) return cookie;
  return bearerToken(req) || null;
}

/**
 * Checks the admin session on every request against the database, so a disabled admin, a logout,
 * a role change or the user's own session revocation takes effect at once, not at expiry.
 */
export async function requireAdmin(ctx: AppContext, req: FastifyRequest, roles: readonly AdminRole[] = ALL_ADMINS): Promise<AdminCaller> {
  const token = adminToken(req);
  if (!token) {
    throw unauthorized('Sign in to the admin API first: POST /api/auth/verify with your session token.', 'admin_session_required');
  }
  const claims = await verifyAdminSession(ctx.config.jwtSecret, token, ctx.now());
  if (!claims) throw unauthorized('Your admin session is invalid or has expired: sign in again.', 'admin_session_invalid');
  const admin = await findAdminById(ctx.db, claims.adminId);
  if (
    !admin ||
    admin.user_id !== claims.userId ||
    admin.token_version !== claims.adminVersion ||
    admin.user_token_version !== claims.userVersion
  ) {
    throw unauthorized('Your admin session was ended: sign in again.', 'admin_session_revoked');
  }
  if (admin.disabled) throw forbidden('This admin account is disabled.', 'admin_disabled');
  if (!roles.includes(admin.role)) {
    throw forbidden(`This action needs the ${roles.join(' or ')} role.`, 'admin_role_required');
  }
  return { adminId: admin.id, userId: admin.user_id, role: admin.role, email: admin.email, name: admin.name, requestId: String(req.id) };
}

/** Writes one admin_audit_log row for an action of `caller`, inside the caller's transaction. */
export function audit(db: Db, caller: AdminCaller, entry: Omit<AuditEntry, 'adminUserId' | 'actor' | 'requestId'>, now: Date) {
  return insertAuditRow(db, { ...entry, adminUserId: caller.adminId, actor: `admin:${caller.adminId}`, requestId: caller.requestId }, now);
}
