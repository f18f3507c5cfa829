import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { bearer, createUser } from '../../test/factories.ts';
import { type OAuthStub, type StubProfile, startOAuthStub, stubEnv } from '../../test/oauth-stub.ts';

const ORIGIN = 'https://app.example';
const CALLBACK = `${ORIGIN}/auth/callback`;
const INTERNAL_KEY = 'internal-key-internal-key-0123456789';

describe('Google and LinkedIn sign-in against a stub provider', () => {
  let t: TestApp;
  let stub: OAuthStub;
  let ip = 0;
  beforeAll(async () => {
    stub = await startOAuthStub();
    t = await createTestApp({
      CLIENT_ORIGIN: ORIGIN,
      INTERNAL_API_KEY: INTERNAL_KEY,
      ...stubEnv(stub, 'GOOGLE'),
      ...stubEnv(stub, 'LINKEDIN'),
    });
  });
  afterAll(async () => {
    await t.close();
    await stub.close();
  });

  /** Each flow from its own client IP, so the per-IP limits never interfere. */
  async function init(provider: 'google' | 'linkedin', prefix = '/api/oauth', query = '') {
    const remoteAddress = `10.5.0.${++ip}`;
    const res = await t.app.inject({ method: 'GET', url: `${prefix}/${provider}/init${query}`, remoteAddress });
    expect(res.statusCode).toBe(200);
    const authUrl = new URL(res.json().authUrl);
    const cookie = res.cookies.find((c) => c.name === 'qc_oauth_state');
    return { res, authUrl, state: authUrl.searchParams.get('state') ?? '', cookie, remoteAddress };
  }

  async function signIn(provider: 'google' | 'linkedin', profile: StubProfile, prefix = '/api/oauth') {
    const { authUrl, state, cookie, remoteAddress } = await init(provider, prefix);
    const code = stub.issueCode(profile, authUrl.searchParams.get('redirect_uri') ?? '');
    return t.app.inject({
      method: 'GET',
      url: `${prefix}/${provider}/continue?code=${code}&state=${encodeURIComponent(state)}`,
      cookies: { qc_oauth_state: cookie?.value ?? '' },
      remoteAddress,
    });
  }

  it('init returns the provider authorize URL and binds the state to the browser with a cookie', async () => {
    const { authUrl, cookie, state } = await init('google');
    expect(`${authUrl.origin}${authUrl.pathname}`).toBe(`${stub.url}/google/authorize`);
    expect(Object.fromEntries(authUrl.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: stub.clientId,
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
    });
    expect(state.length).toBeGreaterThan(20);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 600 });
    expect(authUrl.toString()).not.toContain(stub.clientSecret);
  });

  it('creates the account on the first Google sign-in, sets qc_session, queues the welcome e-mail', async () => {
    const res = await signIn('google', {
      sub: 'g-100',
      email: 'Grace@Example.test',
      email_verified: true,
      name: 'Grace Hopper',
      given_name: 'Grace',
      family_name: 'Hopper',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({ token: expect.any(String), name: 'Grace Hopper', email: 'grace@example.test', first_time: true });
    const session = res.cookies.find((c) => c.name === 'qc_session');
    expect(session).toMatchObject({ value: body.token, httpOnly: true, secure: true, sameSite: 'None', path: '/', maxAge: 24 * 3600 });
    expect(res.cookies.filter((c) => c.name === 'qc_oauth_state')).toEqual([expect.objectContaining({ value: '', maxAge: 0 })]);
    expect(res.cookies).toHaveLength(2);
    const user = await t.ctx.db.selectFrom('user').selectAll().where('email', '=', 'grace@example.test').executeTakeFirstOrThrow();
    expect(user).toMatchObject({
      auth_provider: 'google',
      auth_provider_id: 'g-100',
      google_sub: 'g-100',
      fname: 'Grace',
      lname: 'Hopper',
    });
    expect(user.google_oauth).toEqual({ id: 'g-100', name: 'Grace Hopper', email: 'grace@example.test' });
    const welcome = await t.ctx.db.selectFrom('email_outbox').select('template').where('to_address', '=', 'grace@example.test').execute();
    expect(welcome).toEqual([{ template: 'welcome' }]);
    const me = await t.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(body.token) });
    expect(me.json().id).toBe(user.id);

    const again = await signIn(
      'google',
      { sub: 'g-100', email: 'grace@example.test', email_verified: true, name: 'Grace Hopper' },
      '/oauth',
    );
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ email: 'grace@example.test', first_time: false });
    expect(await t.ctx.db.selectFrom('email_outbox').select('id').where('to_address', '=', 'grace@example.test').execute()).toHaveLength(1);
  });

  it('works through the provider authorize redirect, as a browser would follow it', async () => {
    const { authUrl, cookie, remoteAddress } = await init('linkedin');
    const redirect = await fetch(`${authUrl}&login_hint=browser@example.test`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const callback = new URL(redirect.headers.get('location') ?? '');
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/oauth/linkedin/continue${callback.search}`,
      cookies: { qc_oauth_state: cookie?.value ?? '' },
      remoteAddress,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ email: 'browser@example.test', first_time: true });
  });

  it('links Google to an existing account with the same verified e-mail', async () => {
    const existing = await createUser(t.ctx.db, { email: 'linked@example.test', name: 'Lin Ked' });
    const res = await signIn('google', { sub: 'g-200', email: 'linked@example.test', email_verified: true, name: 'Other Name' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ email: 'linked@example.test', name: 'Lin Ked', first_time: false });
    const row = await t.ctx.db.selectFrom('user').selectAll().where('id', '=', existing.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ google_sub: 'g-200', auth_provider: 'magic_link' });
  });

  it('refuses an unverified provider e-mail and creates nothing', async () => {
    const res = await signIn('google', { sub: 'g-300', email: 'unverified@example.test', email_verified: false, name: 'Un Verified' });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('oauth_email_unverified');
    expect(
      await t.ctx.db.selectFrom('user').select('id').where('email', '=', 'unverified@example.test').executeTakeFirst(),
    ).toBeUndefined();
  });

  it('signs in with LinkedIn and returns the legacy shape with first and last name', async () => {
    const res = await signIn('linkedin', {
      sub: 'li-1',
      email: 'linus@example.test',
      email_verified: true,
      name: 'Linus In',
      given_name: 'Linus',
      family_name: 'In',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      token: expect.any(String),
      email: 'linus@example.test',
      name: 'Linus In',
      firstName: 'Linus',
      lastName: 'In',
      first_time: true,
    });
    const user = await t.ctx.db.selectFrom('user').selectAll().where('email', '=', 'linus@example.test').executeTakeFirstOrThrow();
    expect(user).toMatchObject({ auth_provider: 'linkedin', auth_provider_id: 'li-1' });
    expect(user.linkedin_oauth).toEqual({ id: 'li-1', name: 'Linus In', email: 'linus@example.test' });
    expect(res.cookies.find((c) => c.name === 'qc_session')?.value).toBe(res.json().token);
    // Found again by its LinkedIn id even if the provider now reports another e-mail.
    const again = await signIn('linkedin', { sub: 'li-1', email: 'new-address@example.test', email_verified: true, name: 'Linus In' });
    expect(again.json()).toMatchObject({ email: 'linus@example.test', first_time: false });
  });

  it('rejects a missing, forged, expired, cross-provider or other-browser state before calling the provider', async () => {
    const before = stub.requests.length;
    const { state, cookie, remoteAddress } = await init('google');
    const call = (query: string, cookieValue: string | null = cookie?.value ?? null) =>
      t.app.inject({
        method: 'GET',
        url: `/api/oauth/google/continue?${query}`,
        cookies: cookieValue ? { qc_oauth_state: cookieValue } : {},
        remoteAddress,
      });
    expect((await call('code=x')).json().code).toBe('oauth_state_missing');
    expect((await call(`code=x&state=${state.slice(0, -3)}abc`)).json().code).toBe('oauth_state_invalid');
    expect((await call(`code=x&state=${state}`, null)).json().code).toBe('oauth_state_mismatch');
    expect((await call(`code=x&state=${state}`, 'another-browser')).json().code).toBe('oauth_state_mismatch');
    const li = await t.app.inject({
      method: 'GET',
      url: `/api/oauth/linkedin/continue?code=x&state=${state}`,
      cookies: { qc_oauth_state: cookie?.value ?? '' },
      remoteAddress,
    });
    expect(li.json().code).toBe('oauth_state_invalid');
    t.clock.advance(11 * 60 * 1000);
    const late = await call(`code=x&state=${state}`);
    expect(late.statusCode).toBe(400);
    expect(late.json().code).toBe('oauth_state_invalid');
    expect(stub.requests.length).toBe(before);
    expect((await t.app.inject({ method: 'GET', url: '/api/oauth/google/continue', remoteAddress })).statusCode).toBe(400);
  });

  it('answers 400 when the provider rejects the code (used twice)', async () => {
    const { authUrl, state, cookie, remoteAddress } = await init('google');
    const code = stub.issueCode(
      { sub: 'g-400', email: 'twice@example.test', email_verified: true },
      authUrl.searchParams.get('redirect_uri') ?? '',
    );
    const go = () =>
      t.app.inject({
        method: 'GET',
        url: `/api/oauth/google/continue?code=${code}&state=${state}`,
        cookies: { qc_oauth_state: cookie?.value ?? '' },
        remoteAddress,
      });
    expect((await go()).statusCode).toBe(200);
    const second = await go();
    expect(second.statusCode).toBe(400);
    expect(second.json().code).toBe('oauth_code_rejected');
  });

  it('accepts a redirect_uri on our client origin only', async () => {
    const ok = await init('google', '/api/oauth', `?redirect_uri=${encodeURIComponent(`${ORIGIN}/auth/callback?next=x`)}`);
    expect(ok.authUrl.searchParams.get('redirect_uri')).toBe(`${ORIGIN}/auth/callback?next=x`);
    const evil = await t.app.inject({
      method: 'GET',
      url: `/api/oauth/google/init?redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
    });
    expect(evil.statusCode).toBe(400);
    expect(evil.json().code).toBe('invalid_redirect_uri');
  });

  it('limits continue calls per client IP', async () => {
    let last = 0;
    for (let i = 0; i < 31; i++) {
      last = (await t.app.inject({ method: 'GET', url: '/api/oauth/linkedin/continue?code=x&state=y', remoteAddress: '10.5.9.9' }))
        .statusCode;
    }
    expect(last).toBe(429);
  });

  describe('POST /auth/linkedin/create_user (internal key)', () => {
    const post = (payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api:BQW1GS7L/auth/linkedin/create_user', payload });

    it('rejects a wrong or missing key', async () => {
      expect((await post({ x_api_key: 'wrong', email: 'k@example.test' })).statusCode).toBe(401);
      expect((await post({ email: 'k@example.test' })).statusCode).toBe(400);
    });

    it('upserts the LinkedIn user by e-mail and returns a session', async () => {
      const res = await post({ x_api_key: INTERNAL_KEY, email: 'Kim@Example.test', given_name: 'Kim', family_name: 'Lee', sub: 'li-9' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        token: expect.any(String),
        email: 'kim@example.test',
        name: 'Kim Lee',
        firstName: 'Kim',
        lastName: 'Lee',
        first_time: true,
      });
      expect((await post({ x_api_key: INTERNAL_KEY, email: 'kim@example.test' })).json().first_time).toBe(false);
    });
  });
});

describe('OAuth without provider configuration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LINKEDIN_TOKEN_URL: 'http://127.0.0.1:1/token' });
  });
  afterAll(() => t.close());

  it('answers 503 with what to set, and the internal endpoint is off', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/oauth/google/init' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'oauth_not_configured', message: expect.stringContaining('GOOGLE_CLIENT_ID') });
    const internal = await t.app.inject({
      method: 'POST',
      url: '/auth/linkedin/create_user',
      payload: { x_api_key: 'x', email: 'a@example.test' },
    });
    expect(internal.statusCode).toBe(404);
  });
});

describe('OAuth when the provider is unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      LINKEDIN_CLIENT_ID: 'id',
      LINKEDIN_CLIENT_SECRET: 'secret',
      // Port 1 on loopback: connection refused.
      LINKEDIN_TOKEN_URL: 'http://127.0.0.1:1/token',
    });
  });
  afterAll(() => t.close());

  it('answers 502 oauth_provider_unavailable', async () => {
    const init = await t.app.inject({ method: 'GET', url: '/api/oauth/linkedin/init' });
    const state = new URL(init.json().authUrl).searchParams.get('state');
    const cookie = init.cookies.find((c) => c.name === 'qc_oauth_state')?.value ?? '';
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/oauth/linkedin/continue?code=c&state=${state}`,
      cookies: { qc_oauth_state: cookie },
    });
    expect(res.statusCode).toBe(502);
    expect(res.json().code).toBe('oauth_provider_unavailable');
  });
});
