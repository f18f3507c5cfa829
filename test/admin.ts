import { expect } from 'vitest';
import type { AdminRole } from '../src/db/schema.ts';
import type { TestApp } from './app.ts';
import { bearer, createUser, tokenFor } from './factories.ts';

/** A user with an admin role, and a fresh admin session cookie for it. */
export async function createAdmin(t: TestApp, role: AdminRole = 'super_admin') {
  const user = await createUser(t.ctx.db, { name: `Admin ${role}` });
  const admin = await t.ctx.db.insertInto('admin_users').values({ user_id: user.id, role }).returningAll().executeTakeFirstOrThrow();
  const session = await adminSession(t, user);
  return { user, admin, ...session };
}

let signIns = 0;

/** Signs in to the admin API with the user's main session; returns the admin token and cookie header. */
export async function adminSession(t: TestApp, user: { id: number; token_version?: number }) {
  // Sign-ins are rate-limited per IP: spread the helper's over addresses.
  const remoteAddress = `10.9.${(signIns >> 8) & 255}.${signIns++ & 255}`;
  const res = await t.app.inject({ method: 'POST', url: '/api/auth/verify', headers: bearer(await tokenFor(t.ctx, user)), remoteAddress });
  expect(res.statusCode, res.body).toBe(200);
  const token = res.json().token as string;
  return { token, cookie: { cookie: `admin_session=${token}` } };
}

export interface RouteCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  payload?: unknown;
}

/**
 * The admin authentication matrix for one route: no session, a malformed one, a main-app token
 * instead of an admin session, an expired session, a revoked one (logout), a disabled admin.
 */
export async function expectAdminAuthMatrix(t: TestApp, call: RouteCall): Promise<void> {
  const send = (headers: Record<string, string>) =>
    t.app.inject({
      method: call.method,
      url: call.url,
      headers,
      ...(call.payload === undefined ? {} : { payload: call.payload as object }),
    });
  const codeOf = async (headers: Record<string, string>) => {
    const res = await send(headers);
    return [res.statusCode, res.json().code];
  };

  expect(await codeOf({})).toEqual([401, 'admin_session_required']);
  expect(await codeOf({ cookie: 'admin_session=not-a-jwt' })).toEqual([401, 'admin_session_invalid']);
  const plain = await createUser(t.ctx.db);
  expect(await codeOf(bearer(await tokenFor(t.ctx, plain)))).toEqual([401, 'admin_session_invalid']);

  const expiring = await createAdmin(t);
  t.clock.advance(t.ctx.config.adminSessionMinutes * 60_000 + 1000);
  expect(await codeOf(expiring.cookie)).toEqual([401, 'admin_session_invalid']);

  const revoked = await createAdmin(t);
  expect((await t.app.inject({ method: 'POST', url: '/api/admin/logout', headers: revoked.cookie })).statusCode).toBe(200);
  expect(await codeOf(revoked.cookie)).toEqual([401, 'admin_session_revoked']);

  const disabled = await createAdmin(t);
  await t.ctx.db.updateTable('admin_users').set({ disabled: true }).where('id', '=', disabled.admin.id).execute();
  expect(await codeOf(disabled.cookie)).toEqual([403, 'admin_disabled']);
}
