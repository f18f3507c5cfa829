import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_SECRET, type TestApp } from '../../test/app.ts';
import { bearer, createUser, tokenFor } from '../../test/factories.ts';
import { signSession } from './jwt.ts';

/** The allow-list of the signed-in user's own account fields. */
const SELF_USER_FIELDS = ['address', 'auth_provider', 'city', 'country', 'created_at', 'email', 'fname', 'id', 'lname', 'name', 'zip'];

describe('GET /auth/me and logout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('returns only the listed fields of the caller, never secrets or provider payloads', async () => {
    const user = await createUser(t.ctx.db, { email: 'me@example.test', name: 'Me Myself' });
    await t.ctx.db
      .updateTable('user')
      .set({ google_sub: 'g-secret', google_oauth: JSON.stringify({ id: 'g-secret' }), password: 'hash' })
      .where('id', '=', user.id)
      .execute();
    await createUser(t.ctx.db, { email: 'other@example.test' });
    const res = await t.app.inject({ method: 'GET', url: '/api:3B14WLbJ/auth/me', headers: bearer(await tokenFor(t.ctx, user)) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(SELF_USER_FIELDS);
    expect(body).toMatchObject({ id: user.id, email: 'me@example.test', name: 'Me Myself', created_at: user.created_at.getTime() });
    expect(res.body).not.toContain('g-secret');
    expect(res.body).not.toContain('other@example.test');
  });

  it('answers 401 without a token, with a malformed, forged or expired one', async () => {
    const user = await createUser(t.ctx.db);
    const none = await t.app.inject({ method: 'GET', url: '/auth/me' });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('missing_token');
    expect((await t.app.inject({ method: 'GET', url: '/auth/me', headers: bearer('not-a-jwt') })).json().code).toBe('invalid_token');
    const forged = await signSession(`${TEST_SECRET}-other`, { userId: user.id, tokenVersion: 0 }, t.clock.now);
    expect((await t.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(forged) })).statusCode).toBe(401);
    const old = await signSession(TEST_SECRET, { userId: user.id, tokenVersion: 0 }, new Date(t.clock.now.getTime() - 25 * 3600 * 1000));
    expect((await t.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(old) })).statusCode).toBe(401);
  });

  it('logout revokes every token of the account and clears qc_session', async () => {
    const user = await createUser(t.ctx.db);
    const a = await tokenFor(t.ctx, user);
    t.clock.advance(1000);
    const b = await tokenFor(t.ctx, user);
    const res = await t.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(a) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true });
    expect(res.cookies.find((c) => c.name === 'qc_session')).toMatchObject({ value: '', maxAge: 0 });
    const row = await t.ctx.db.selectFrom('user').select('token_version').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.token_version).toBe(1);
    for (const token of [a, b]) {
      const me = await t.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(token) });
      expect(me.statusCode).toBe(401);
      expect(me.json().code).toBe('session_revoked');
    }
    // A new sign-in gets a working token again.
    const fresh = await tokenFor(t.ctx, { id: user.id, token_version: 1 });
    expect((await t.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(fresh) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(fresh) })).statusCode).toBe(200);
  });

  it('logout needs a valid token', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/auth/logout' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer('x.y.z') })).statusCode).toBe(401);
  });
});
