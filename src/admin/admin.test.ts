import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, createAdmin, expectAdminAuthMatrix } from '../../test/admin.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { bearer, createUser, tokenFor } from '../../test/factories.ts';
import { createAdmin as createAdminCli, disableAdminByEmail } from './service.ts';

describe('admin access', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const verify = (opts: { headers?: Record<string, string>; payload?: object }) =>
    t.app.inject({ method: 'POST', url: '/api/auth/verify', ...opts });

  describe('POST /api/auth/verify', () => {
    it('issues a 15-minute admin session in a cookie and in the body, and audits the login', async () => {
      const user = await createUser(t.ctx.db, { name: 'Ada Admin' });
      const admin = await t.ctx.db
        .insertInto('admin_users')
        .values({ user_id: user.id, role: 'support_admin' })
        .returningAll()
        .executeTakeFirstOrThrow();
      const res = await verify({ headers: bearer(await tokenFor(t.ctx, user)) });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toEqual({
        success: true,
        token: expect.any(String),
        expires_at: t.clock.now.getTime() + 15 * 60_000,
        admin: { id: admin.id, user_id: user.id, email: user.email, name: 'Ada Admin', role: 'support_admin' },
      });
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toContain(`admin_session=${body.token}`);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Max-Age=900/);
      const me = await t.app.inject({ method: 'GET', url: '/api/admin/me', headers: { cookie: `admin_session=${body.token}` } });
      expect(me.statusCode).toBe(200);
      expect(me.json().admin.role).toBe('support_admin');
      const rows = await t.ctx.db.selectFrom('admin_audit_log').selectAll().where('admin_user_id', '=', admin.id).execute();
      expect(rows.map((r) => r.action)).toEqual(['admin.login']);
      expect(rows[0]?.actor).toBe(`admin:${admin.id}`);
      const stored = await t.ctx.db.selectFrom('admin_users').select('last_login_at').where('id', '=', admin.id).executeTakeFirstOrThrow();
      expect(stored.last_login_at?.getTime()).toBe(t.clock.now.getTime());
    });

    it('accepts the main session token in the body or in the qc_session cookie', async () => {
      const { user } = await createAdmin(t);
      const token = await tokenFor(t.ctx, user);
      expect((await verify({ payload: { token } })).statusCode).toBe(200);
      expect((await verify({ headers: { cookie: `qc_session=${token}` } })).statusCode).toBe(200);
    });

    it('also accepts the admin session as a Bearer token (scripts)', async () => {
      const { token } = await createAdmin(t);
      const me = await t.app.inject({ method: 'GET', url: '/api/admin/me', headers: bearer(token) });
      expect(me.statusCode).toBe(200);
    });

    it('rejects a missing, forged or revoked main session with 401', async () => {
      expect((await verify({})).json().code).toBe('missing_token');
      const bad = await verify({ headers: bearer('nope.nope.nope') });
      expect([bad.statusCode, bad.json().code]).toEqual([401, 'invalid_token']);
      const { user } = await createAdmin(t);
      const token = await tokenFor(t.ctx, user);
      await t.ctx.db.updateTable('user').set({ token_version: 1 }).where('id', '=', user.id).execute();
      const revoked = await verify({ headers: bearer(token) });
      expect([revoked.statusCode, revoked.json().code]).toEqual([401, 'session_revoked']);
    });

    it('refuses a user who is not an admin, and a disabled admin, with 403', async () => {
      const plain = await createUser(t.ctx.db);
      const res = await verify({ headers: bearer(await tokenFor(t.ctx, plain)) });
      expect([res.statusCode, res.json().code]).toEqual([403, 'not_admin']);
      expect(res.headers['set-cookie']).toBeUndefined();

      const { user, admin } = await createAdmin(t);
      await t.ctx.db.updateTable('admin_users').set({ disabled: true }).where('id', '=', admin.id).execute();
      const disabled = await verify({ headers: bearer(await tokenFor(t.ctx, user)) });
      expect([disabled.statusCode, disabled.json().code]).toEqual([403, 'admin_disabled']);
      const denied = await t.ctx.db
        .selectFrom('admin_audit_log')
        .select('action')
        .where('admin_user_id', '=', admin.id)
        .orderBy('id')
        .execute();
      expect(denied.map((r) => r.action)).toEqual(['admin.login', 'admin.login_denied']);
    });

    it('rejects unknown body fields', async () => {
      const res = await verify({ payload: { token: 'x', role: 'super_admin' } });
      expect(res.statusCode).toBe(400);
    });
  });

  describe('admin sessions', () => {
    it('cannot be used as a main-app session', async () => {
      const { token } = await createAdmin(t);
      const res = await t.app.inject({ method: 'GET', url: '/marketing/campaigns', headers: bearer(token) });
      expect(res.statusCode).toBe(401);
    });

    it('end when the user signs out everywhere (user token_version bumped)', async () => {
      const { user, cookie } = await createAdmin(t);
      await t.ctx.db.updateTable('user').set({ token_version: 5 }).where('id', '=', user.id).execute();
      const res = await t.app.inject({ method: 'GET', url: '/api/admin/me', headers: cookie });
      expect([res.statusCode, res.json().code]).toEqual([401, 'admin_session_revoked']);
    });

    it('logout revokes every admin session of the admin, clears the cookie and is audited', async () => {
      const { user, admin, cookie } = await createAdmin(t);
      const second = await adminSession(t, user);
      const out = await t.app.inject({ method: 'POST', url: '/api/admin/logout', headers: cookie });
      expect(out.statusCode).toBe(200);
      expect(String(out.headers['set-cookie'])).toMatch(/admin_session=; .*Max-Age=0/);
      for (const c of [cookie, second.cookie]) {
        expect((await t.app.inject({ method: 'GET', url: '/api/admin/me', headers: c })).json().code).toBe('admin_session_revoked');
      }
      const rows = await t.ctx.db
        .selectFrom('admin_audit_log')
        .select('action')
        .where('admin_user_id', '=', admin.id)
        .orderBy('id')
        .execute();
      expect(rows.map((r) => r.action)).toEqual(['admin.login', 'admin.login', 'admin.logout']);
    });

    it('GET /api/admin/me and POST /api/admin/logout pass the auth matrix', async () => {
      await expectAdminAuthMatrix(t, { method: 'GET', url: '/api/admin/me' });
      await expectAdminAuthMatrix(t, { method: 'POST', url: '/api/admin/logout' });
    });
  });

  describe('GET /api/admin/audit-log', () => {
    it('lists entries newest first for a super_admin and audits the read', async () => {
      const { admin, cookie } = await createAdmin(t, 'super_admin');
      const res = await t.app.inject({ method: 'GET', url: '/api/admin/audit-log?limit=5', headers: cookie });
      expect(res.statusCode).toBe(200);
      const entries = res.json().entries;
      expect(entries.length).toBe(5);
      expect(entries[0].id).toBeGreaterThan(entries[1].id);
      const last = await t.ctx.db.selectFrom('admin_audit_log').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect([last.action, last.admin_user_id]).toEqual(['audit_log.list', admin.id]);
    });

    it('is refused to a support_admin', async () => {
      const { cookie } = await createAdmin(t, 'support_admin');
      const res = await t.app.inject({ method: 'GET', url: '/api/admin/audit-log', headers: cookie });
      expect([res.statusCode, res.json().code]).toEqual([403, 'admin_role_required']);
    });

    it('passes the auth matrix', async () => {
      await expectAdminAuthMatrix(t, { method: 'GET', url: '/api/admin/audit-log' });
    });
  });

  describe('creating admins (the CLI service)', () => {
    it('creates the user if needed, then the admin; re-running changes the role and ends sessions', async () => {
      const now = t.clock.now;
      const first = await createAdminCli(t.ctx.db, '  Boss@Example.TEST ', 'super_admin', now);
      expect(first).toMatchObject({ email: 'boss@example.test', role: 'super_admin', userCreated: true });
      const user = await t.ctx.db.selectFrom('user').selectAll().where('id', '=', first.userId).executeTakeFirstOrThrow();
      expect([user.email, user.auth_provider]).toEqual(['boss@example.test', 'magic_link']);
      const { cookie } = await adminSession(t, user);

      const again = await createAdminCli(t.ctx.db, 'boss@example.test', 'support_admin', now);
      expect(again).toMatchObject({ adminId: first.adminId, role: 'support_admin', userCreated: false });
      expect((await t.app.inject({ method: 'GET', url: '/api/admin/me', headers: cookie })).json().code).toBe('admin_session_revoked');

      await disableAdminByEmail(t.ctx.db, 'BOSS@example.test', now);
      const denied = await t.app.inject({ method: 'POST', url: '/api/auth/verify', headers: bearer(await tokenFor(t.ctx, user)) });
      expect(denied.json().code).toBe('admin_disabled');
      const audit = await t.ctx.db
        .selectFrom('admin_audit_log')
        .select(['actor', 'action'])
        .where('admin_user_id', '=', first.adminId)
        .orderBy('id')
        .execute();
      expect(audit.filter((a) => a.actor === 'cli').map((a) => a.action)).toEqual(['admin.create', 'admin.create', 'admin.disable']);
    });

    it('rejects a bad e-mail or role', async () => {
      await expect(createAdminCli(t.ctx.db, 'nope', 'super_admin', t.clock.now)).rejects.toThrow(/not an e-mail/);
      await expect(createAdminCli(t.ctx.db, 'a@b.test', 'root', t.clock.now)).rejects.toThrow(/Role must be one of/);
    });
  });
});
