import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminSession, createAdmin, expectAdminAuthMatrix } from '../../test/admin.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { bearer, createExpert, tokenFor } from '../../test/factories.ts';
import { isFlagEnabled } from './service.ts';

describe('feature flags', () => {
  let t: TestApp;
  let superCookie: Record<string, string>;
  let superId: number;
  let superUser: { id: number };
  beforeAll(async () => {
    t = await createTestApp();
    const s = await createAdmin(t, 'super_admin');
    superUser = s.user;
    superId = s.admin.id;
  });
  // The auth matrix moves the clock past the session lifetime: sign in afresh for every test.
  beforeEach(async () => {
    superCookie = (await adminSession(t, superUser)).cookie;
  });
  afterAll(() => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers = superCookie) =>
    t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  describe('GET /api/flags/public', () => {
    it('serves the enabled seed flags to anyone, cacheable for 5 minutes plus 10 stale', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/flags/public' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=600');
      expect(res.json()).toEqual({ flags: [{ key: 'marketing_module', enabled: true, min_plan: 'free', min_plan_level: 0 }] });
      const seeded = await t.ctx.db.selectFrom('feature_flags').select(['key', 'enabled']).orderBy('key').execute();
      expect(seeded).toEqual([
        { key: 'marketing_module', enabled: true },
        { key: 'social_impact_dashboard', enabled: false },
      ]);
    });
  });

  describe('admin CRUD', () => {
    it('creates a flag, writes the flag audit and the admin audit, and lists it', async () => {
      const res = await call('POST', '/api/flags', { key: 'new_inbox', name: 'New inbox', description: 'Inbox v3', min_plan_level: 10 });
      expect(res.statusCode).toBe(201);
      expect(res.json().flag).toMatchObject({ key: 'new_inbox', name: 'New inbox', enabled: false, min_plan_level: 10, min_plan: 'pro' });
      const audit = await t.ctx.db.selectFrom('feature_flag_audit').selectAll().where('flag_key', '=', 'new_inbox').execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ action: 'create', admin_user_id: superId, before: null });
      expect(audit[0]?.after).toMatchObject({ key: 'new_inbox', enabled: false, min_plan_level: 10 });
      const log = await t.ctx.db.selectFrom('admin_audit_log').selectAll().where('action', '=', 'flag.create').execute();
      expect(log.map((l) => [l.admin_user_id, l.target_id])).toEqual([[superId, 'new_inbox']]);

      const list = await call('GET', '/api/flags');
      expect(list.json().flags.map((f: { key: string }) => f.key)).toEqual(['marketing_module', 'new_inbox', 'social_impact_dashboard']);
    });

    it('refuses a duplicate key with 409 and invalid input with 400', async () => {
      await call('POST', '/api/flags', { key: 'dup_flag', name: 'Dup flag' });
      const dup = await call('POST', '/api/flags', { key: 'dup_flag', name: 'Dup again' });
      expect([dup.statusCode, dup.json().code]).toEqual([409, 'flag_exists']);
      for (const bad of [
        { key: 'Bad-Key', name: 'Bad key' },
        { key: 'ok_key', name: 'no' },
        { key: 'ok_key', name: 'Fine', min_plan_level: 5 },
        { key: 'ok_key', name: 'Fine', description: 'x'.repeat(501) },
        { key: 'ok_key', name: 'Fine', owner: 'me' },
        { name: 'No key' },
      ]) {
        const res = await call('POST', '/api/flags', bad);
        expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      }
      expect(await t.ctx.db.selectFrom('feature_flags').select('key').where('key', '=', 'ok_key').executeTakeFirst()).toBeUndefined();
    });

    it('updates a flag by ?key=, auditing before and after; the key is immutable', async () => {
      await call('POST', '/api/flags', { key: 'beta_thing', name: 'Beta thing' });
      const res = await call('PATCH', '/api/flags?key=beta_thing', { enabled: true, name: 'Beta thing v2' });
      expect(res.statusCode).toBe(200);
      expect(res.json().flag).toMatchObject({ key: 'beta_thing', enabled: true, name: 'Beta thing v2' });
      const audit = await t.ctx.db
        .selectFrom('feature_flag_audit')
        .selectAll()
        .where('flag_key', '=', 'beta_thing')
        .where('action', '=', 'update')
        .executeTakeFirstOrThrow();
      expect(audit.before).toMatchObject({ enabled: false, name: 'Beta thing' });
      expect(audit.after).toMatchObject({ enabled: true, name: 'Beta thing v2' });

      const rename = await call('PATCH', '/api/flags?key=beta_thing', { key: 'other_key' });
      expect([rename.statusCode, rename.json().code]).toEqual([400, 'key_immutable']);
      const empty = await call('PATCH', '/api/flags?key=beta_thing', {});
      expect([empty.statusCode, empty.json().code]).toEqual([400, 'nothing_to_change']);
      const missing = await call('PATCH', '/api/flags?key=no_such_flag', { enabled: true });
      expect([missing.statusCode, missing.json().code]).toEqual([404, 'flag_not_found']);
      const noKey = await call('PATCH', '/api/flags', { enabled: true });
      expect(noKey.statusCode).toBe(400);
      const count = await t.ctx.db.selectFrom('feature_flag_audit').select('id').where('flag_key', '=', 'beta_thing').execute();
      expect(count).toHaveLength(2);
    });

    it('deletes a flag; its audit history stays, with a delete row', async () => {
      await call('POST', '/api/flags', { key: 'short_lived', name: 'Short lived' });
      const res = await call('DELETE', '/api/flags?key=short_lived');
      expect(res.json()).toEqual({ success: true, key: 'short_lived' });
      expect(await t.ctx.db.selectFrom('feature_flags').select('id').where('key', '=', 'short_lived').executeTakeFirst()).toBeUndefined();
      const audit = await t.ctx.db
        .selectFrom('feature_flag_audit')
        .selectAll()
        .where('flag_key', '=', 'short_lived')
        .orderBy('id')
        .execute();
      expect(audit.map((a) => [a.action, a.flag_id])).toEqual([
        ['create', null],
        ['delete', null],
      ]);
      expect(audit[1]?.before).toMatchObject({ key: 'short_lived' });
      expect((await call('DELETE', '/api/flags?key=short_lived')).statusCode).toBe(404);
      const history = await call('GET', '/api/flags/audit?key=short_lived');
      expect(history.json().entries.map((e: { action: string }) => e.action)).toEqual(['delete', 'create']);
    });

    it('lets a support_admin read flags but not change them', async () => {
      const { cookie } = await createAdmin(t, 'support_admin');
      expect((await call('GET', '/api/flags', undefined, cookie)).statusCode).toBe(200);
      for (const [method, url, body] of [
        ['POST', '/api/flags', { key: 'by_support', name: 'By support' }],
        ['PATCH', '/api/flags?key=marketing_module', { enabled: false }],
        ['DELETE', '/api/flags?key=marketing_module', undefined],
      ] as const) {
        const res = await call(method, url, body, cookie);
        expect([res.statusCode, res.json().code]).toEqual([403, 'admin_role_required']);
      }
      const flag = await t.ctx.db
        .selectFrom('feature_flags')
        .select('enabled')
        .where('key', '=', 'marketing_module')
        .executeTakeFirstOrThrow();
      expect(flag.enabled).toBe(true);
    });

    it('every admin flag route passes the auth matrix', async () => {
      await expectAdminAuthMatrix(t, { method: 'GET', url: '/api/flags' });
      await expectAdminAuthMatrix(t, { method: 'GET', url: '/api/flags/audit' });
      await expectAdminAuthMatrix(t, { method: 'POST', url: '/api/flags', payload: { key: 'matrix_flag', name: 'Matrix flag' } });
      await expectAdminAuthMatrix(t, { method: 'PATCH', url: '/api/flags?key=marketing_module', payload: { enabled: false } });
      await expectAdminAuthMatrix(t, { method: 'DELETE', url: '/api/flags?key=marketing_module' });
      expect(await isFlagEnabled(t.ctx.db, 'marketing_module')).toBe(true);
    });
  });

  describe('gating routes with a flag', () => {
    it('isFlagEnabled: unknown flags are off; plan levels above the caller’s are off', async () => {
      expect(await isFlagEnabled(t.ctx.db, 'no_such_flag')).toBe(false);
      expect(await isFlagEnabled(t.ctx.db, 'social_impact_dashboard')).toBe(false);
      await call('POST', '/api/flags', { key: 'pro_only', name: 'Pro only', enabled: true, min_plan_level: 10 });
      expect(await isFlagEnabled(t.ctx.db, 'pro_only')).toBe(false);
      expect(await isFlagEnabled(t.ctx.db, 'pro_only', 10)).toBe(true);
      const pub = await t.app.inject({ method: 'GET', url: '/api/flags/public' });
      expect(pub.json().flags).toContainEqual({ key: 'pro_only', enabled: true, min_plan: 'pro', min_plan_level: 10 });
    });

    it('turning marketing_module off hides the marketing routes (404) and stops visit tracking', async () => {
      const { user, profile } = await createExpert(t.ctx.db);
      const headers = bearer(await tokenFor(t.ctx, user));
      const visit = { expert_handle: profile.handle, utm_source: 'x', utm_campaign: 'y' };
      expect((await t.app.inject({ method: 'GET', url: '/marketing/campaigns', headers })).statusCode).toBe(200);

      await call('PATCH', '/api/flags?key=marketing_module', { enabled: false });
      const off = await t.app.inject({ method: 'GET', url: '/marketing/campaigns', headers });
      expect([off.statusCode, off.json().code]).toEqual([404, 'feature_disabled']);
      const tracked = await t.app.inject({ method: 'POST', url: '/marketing/public/track-visit', payload: visit });
      expect(tracked.json()).toEqual({ tracked: false });
      expect((await t.app.inject({ method: 'GET', url: '/api/flags/public' })).json().flags).not.toContainEqual(
        expect.objectContaining({ key: 'marketing_module' }),
      );

      await call('PATCH', '/api/flags?key=marketing_module', { enabled: true });
      expect((await t.app.inject({ method: 'GET', url: '/marketing/campaigns', headers })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'POST', url: '/marketing/public/track-visit', payload: visit })).json().tracked).toBe(true);
    });
  });
});
