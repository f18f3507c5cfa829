import { verifySession } from '../auth/jwt.ts';
import type { AppContext } from '../context.ts';
import type { Db } from '../db/index.ts';
import type { AdminRole } from '../db/schema.ts';
import { badRequest, forbidden, notFound, unauthorized } from '../errors.ts';
import { type AdminCaller, audit } from './guard.ts';
import {
  type AdminRow,
  bumpAdminTokenVersion,
  disableAdmin,
  findAdminByUserId,
  findUserByEmail,
  insertAuditRow,
  insertUserForAdmin,
  listAuditRows,
  recordAdminLogin,
  upsertAdmin,
} from './queries.ts';
import { signAdminSession } from './session.ts';

export interface AdminLogin {
  token: string;
  expiresAt: Date;
  ttlSeconds: number;
  admin: AdminRow;
}

/**
 * Admin sign-in: a valid main-app session of an enabled admin becomes a short-lived admin
 * session. The main token is checked like every authenticated route checks it (signature, expiry,
 * token_version), so a revoked main session cannot open an admin one.
 */
export async function verifyAdminLogin(ctx: AppContext, mainToken: string | null, requestId: string): Promise<AdminLogin> {
  if (!mainToken) {
    throw unauthorized(
      'Send your session token as Authorization: Bearer <token>, as {"token": …} or in the qc_session cookie.',
      'missing_token',
    );
  }
  const now = ctx.now();
  const claims = await verifySession(ctx.config.jwtSecret, mainToken, now);
  if (!claims) throw unauthorized('Your session is invalid or has expired: sign in again.', 'invalid_token');
  const admin = await findAdminByUserId(ctx.db, claims.userId);
  const user = admin
    ? { token_version: admin.user_token_version }
    : await ctx.db.selectFrom('user').select('token_version').where('id', '=', claims.userId).executeTakeFirst();
  if (!user || user.token_version !== claims.tokenVersion) {
    throw unauthorized('Your session was ended: sign in again.', 'session_revoked');
  }
  if (!admin) throw forbidden('This account is not an admin.', 'not_admin');
  if (admin.disabled) {
    await insertAuditRow(
      ctx.db,
      { adminUserId: admin.id, actor: `admin:${admin.id}`, action: 'admin.login_denied', details: { reason: 'disabled' }, requestId },
      now,
    );
    throw forbidden('This admin account is disabled.', 'admin_disabled');
  }
  // A revoke-all or console logout sticks: only a main-app sign-in after it opens a new admin session.
  if (admin.sessions_revoked_at && claims.issuedAt * 1000 <= admin.sessions_revoked_at.getTime()) {
    throw unauthorized('Your admin sessions were ended: sign in to the main app again, then retry.', 'admin_sessions_revoked');
  }
  const ttlSeconds = ctx.config.adminSessionMinutes * 60;
  const token = await signAdminSession(
    ctx.config.jwtSecret,
    { adminId: admin.id, userId: admin.user_id, adminVersion: admin.token_version, userVersion: admin.user_token_version },
    now,
    ttlSeconds,
  );
  await ctx.db.transaction().execute(async (trx) => {
    await recordAdminLogin(trx, admin.id, now);
    await insertAuditRow(trx, { adminUserId: admin.id, actor: `admin:${admin.id}`, action: 'admin.login', requestId }, now);
  });
  return { token, expiresAt: new Date(now.getTime() + ttlSeconds * 1000), ttlSeconds, admin };
}

/** Ends every admin session of the caller (the token_version moves on). */
export async function logoutAdmin(ctx: AppContext, caller: AdminCaller): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    await bumpAdminTokenVersion(trx, caller.adminId, now);
    await audit(trx, caller, { action: 'admin.logout' }, now);
  });
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const ADMIN_ROLES: readonly AdminRole[] = ['super_admin', 'support_admin'];

/**
 * CLI: makes the account with this e-mail an admin (creating the user if it has never signed in,
 * so its first magic-link sign-in finds it). Re-running changes the role, re-enables the admin
 * and ends its current admin sessions.
 */
export async function createAdmin(db: Db, emailRaw: string, role: string, now: Date) {
  const email = emailRaw.trim().toLowerCase();
  if (!EMAIL.test(email)) throw badRequest(`"${emailRaw}" is not an e-mail address.`, 'invalid_email');
  if (!ADMIN_ROLES.includes(role as AdminRole)) {
    throw badRequest(`Role must be one of ${ADMIN_ROLES.join(', ')}, got "${role}".`, 'invalid_role');
  }
  return db.transaction().execute(async (trx) => {
    const existing = await findUserByEmail(trx, email);
    const user = existing ?? (await insertUserForAdmin(trx, email, now));
    const admin = await upsertAdmin(trx, user.id, role as AdminRole, now);
    await insertAuditRow(
      trx,
      { adminUserId: admin.id, actor: 'cli', action: 'admin.create', targetType: 'admin_user', targetId: admin.id, details: { role } },
      now,
    );
    return { adminId: admin.id, userId: user.id, email, role: admin.role, userCreated: !existing };
  });
}

export async function disableAdminByEmail(db: Db, emailRaw: string, now: Date) {
  const email = emailRaw.trim().toLowerCase();
  return db.transaction().execute(async (trx) => {
    const user = await findUserByEmail(trx, email);
    const admin = user ? await findAdminByUserId(trx, user.id) : undefined;
    if (!admin) throw notFound(`No admin with the e-mail ${email}.`, 'admin_not_found');
    await disableAdmin(trx, admin.id, now);
    await insertAuditRow(
      trx,
      { adminUserId: admin.id, actor: 'cli', action: 'admin.disable', targetType: 'admin_user', targetId: admin.id },
      now,
    );
    return { adminId: admin.id, email };
  });
}

/** The audit log, newest first; reading it is itself audited (who looked at what the team did). */
export async function readAuditLog(
  ctx: AppContext,
  caller: AdminCaller,
  q: { limit: number; beforeId?: number | undefined; action?: string | undefined },
) {
  const rows = await listAuditRows(ctx.db, q);
  await audit(ctx.db, caller, { action: 'audit_log.list', details: { count: rows.length } }, ctx.now());
  return rows;
}
