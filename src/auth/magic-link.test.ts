import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { bearer, createUser } from '../../test/factories.ts';
import type { Db } from '../db/index.ts';

const ORIGIN = 'https://app.example';

/** The token and code of the newest sign-in e-mail to `to`, read from the outbox as a user would read the mail. */
async function lastMagicEmail(db: Db, to: string) {
  const mail = await db
    .selectFrom('email_outbox')
    .selectAll()
    .where('to_address', '=', to)
    .where('template', '=', 'magic_link')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const link = /https:\/\/app\.example\/auth\/magic-link\?token=([A-Za-z0-9_-]+)/.exec(mail.text_body);
  const code = /code: (\d{6})/.exec(mail.text_body);
  if (!link?.[1] || !code?.[1]) throw new Error(`no link/code in ${mail.text_body}`);
  return { mail, token: link[1], code: code[1] };
}

describe('magic link: send', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ CLIENT_ORIGIN: ORIGIN });
  });
  afterAll(() => t.close());
  const send = (email: unknown, extra: Record<string, unknown> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/auth/magic-link/send', payload: { email, ...extra }, remoteAddress: '10.1.0.1' });

  it('stores only hashes, e-mails the link and the code, and never returns them', async () => {
    const res = await send('  Ada@Example.TEST ');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true, message: expect.any(String), expires_in_seconds: 900 });
    const row = await t.ctx.db.selectFrom('magic_link_token').selectAll().where('email', '=', 'ada@example.test').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ token: null, verification_code: null, ip_address: null, used: false, failed_attempts: 0 });
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.ip_hash).toMatch(/^h1_[A-Za-z0-9_-]{32}$/); // http/ip-hash.ts: keyed, never the raw IP
    expect(row.expires_at.getTime() - t.clock.now.getTime()).toBe(15 * 60 * 1000);
    const { mail, token, code } = await lastMagicEmail(t.ctx.db, 'ada@example.test');
    expect(createHash('sha256').update(token).digest('hex')).toBe(row.token_hash);
    expect(mail.status).toBe('pending');
    expect(mail.html_body).toContain(`${ORIGIN}/auth/magic-link?token=${token}`);
    expect(mail.html_body).toContain(code);
    expect(res.body).not.toContain(token);
    expect(res.body).not.toContain(code);
  });

  it('answers an unknown and a known address identically', async () => {
    const known = await createUser(t.ctx.db, { email: 'known@example.test' });
    const a = await send(known.email);
    const b = await send('nobody-here@example.test');
    expect(a.statusCode).toBe(b.statusCode);
    expect(a.json()).toEqual(b.json());
  });

  it('serves the legacy initiate path without leaking the token or code, ignoring a body IP', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api:BQW1GS7L/auth/magic-link/initiate',
      payload: { email: 'init@example.test', ip_address: '1.2.3.4' },
      remoteAddress: '10.1.0.1',
    });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json()).sort()).toEqual(['expires_in_seconds', 'message', 'success']);
    const rows = await t.ctx.db.selectFrom('magic_link_token').select('ip_hash').where('ip_hash', 'is not', null).execute();
    expect(new Set(rows.map((r) => r.ip_hash)).size).toBe(1);
  });

  it('rejects a missing, malformed or extra field with 400', async () => {
    const missing = await t.app.inject({ method: 'POST', url: '/api/auth/magic-link/send', payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().code).toBe('validation_failed');
    const bad = await send('not-an-address');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'invalid_email', error: expect.any(String), message: expect.any(String) });
    const extra = await send('x@example.test', { admin: true });
    expect(extra.statusCode).toBe(400);
  });

  it('allows 3 sends per address per rolling hour, then 429 with Retry-After and retryAfter', async () => {
    const email = 'limit@example.test';
    for (let i = 0; i < 3; i++) {
      expect((await send(email)).statusCode).toBe(200);
      t.clock.advance(10 * 60 * 1000);
    }
    const limited = await send(email.toUpperCase());
    expect(limited.statusCode).toBe(429);
    // The oldest of the three was 30 minutes ago: it leaves the window in 30 minutes.
    expect(limited.json()).toMatchObject({ code: 'rate_limited', retryAfter: 1800 });
    expect(limited.headers['retry-after']).toBe('1800');
    const count = await t.ctx.db
      .selectFrom('magic_link_token')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);
    t.clock.advance(1800 * 1000 + 1);
    expect((await send(email)).statusCode).toBe(200);
  });
});

describe('magic link: per-IP send limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ CLIENT_ORIGIN: ORIGIN, MAGIC_LINK_IP_LIMIT_PER_HOUR: '2' });
  });
  afterAll(() => t.close());

  it('limits sends per client IP across addresses, and not other IPs', async () => {
    const send = (email: string, ip: string) =>
      t.app.inject({ method: 'POST', url: '/api/auth/magic-link/send', payload: { email }, remoteAddress: ip });
    expect((await send('a@example.test', '10.2.0.1')).statusCode).toBe(200);
    expect((await send('b@example.test', '10.2.0.1')).statusCode).toBe(200);
    const limited = await send('c@example.test', '10.2.0.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().retryAfter).toBe(3600);
    expect(limited.headers['retry-after']).toBe('3600');
    expect((await send('c@example.test', '10.2.0.2')).statusCode).toBe(200);
  });
});

describe('magic link: verify', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ CLIENT_ORIGIN: ORIGIN });
  });
  afterAll(() => t.close());
  const send = (email: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/magic-link/send', payload: { email }, remoteAddress: '10.3.0.1' });
  const verify = (payload: Record<string, unknown>, url = '/api/auth/magic-link/verify') =>
    t.app.inject({ method: 'POST', url, payload, remoteAddress: '10.3.0.2' });

  it('signs a new user in by link token, once, and queues the welcome e-mail', async () => {
    await send('new@example.test');
    const { token } = await lastMagicEmail(t.ctx.db, 'new@example.test');
    const res = await verify({ token });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({ token: expect.any(String), email: 'new@example.test', name: '', is_new_user: true });
    const user = await t.ctx.db.selectFrom('user').selectAll().where('email', '=', 'new@example.test').executeTakeFirstOrThrow();
    expect(user).toMatchObject({ auth_provider: 'magic_link', auth_provider_id: 'new@example.test', name: '' });
    expect(user.last_login_at?.getTime()).toBe(t.clock.now.getTime());
    const row = await t.ctx.db.selectFrom('magic_link_token').selectAll().where('email', '=', 'new@example.test').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ used: true, user_id: user.id });
    const welcome = await t.ctx.db
      .selectFrom('email_outbox')
      .selectAll()
      .where('template', '=', 'welcome')
      .where('to_address', '=', 'new@example.test')
      .execute();
    expect(welcome).toHaveLength(1);
    const me = await t.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(body.token) });
    expect(me.statusCode).toBe(200);
    expect(me.json().id).toBe(user.id);

    const again = await verify({ token });
    expect(again.statusCode).toBe(410);
    expect(again.json()).toMatchObject({ code: 'token_already_used' });
  });

  it('signs an existing user in without a second welcome e-mail (legacy X path too)', async () => {
    const user = await createUser(t.ctx.db, { email: 'Existing@Example.test', name: 'Eve Existing' });
    await send('existing@example.test');
    const { token } = await lastMagicEmail(t.ctx.db, 'existing@example.test');
    const res = await verify({ token }, '/api:BQW1GS7L/auth/magic-link/verify');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ email: user.email, name: 'Eve Existing', is_new_user: false });
    const welcome = await t.ctx.db
      .selectFrom('email_outbox')
      .select('id')
      .where('template', '=', 'welcome')
      .where('to_address', '=', user.email)
      .execute();
    expect(welcome).toHaveLength(0);
  });

  it('answers 404 for an unknown token and 410 token_expired after 15 minutes', async () => {
    const unknown = await verify({ token: 'no-such-token' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'token_not_found' });
    await send('late@example.test');
    const { token } = await lastMagicEmail(t.ctx.db, 'late@example.test');
    t.clock.advance(15 * 60 * 1000);
    const expired = await verify({ token });
    expect(expired.statusCode).toBe(410);
    expect(expired.json()).toMatchObject({ code: 'token_expired' });
    expect(await t.ctx.db.selectFrom('user').select('id').where('email', '=', 'late@example.test').executeTakeFirst()).toBeUndefined();
  });

  it('accepts the 6-digit code with the address, also from an older e-mail', async () => {
    await send('code@example.test');
    const first = await lastMagicEmail(t.ctx.db, 'code@example.test');
    await send('code@example.test');
    const res = await verify({ email: ' CODE@example.test', code: first.code });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ email: 'code@example.test', is_new_user: true });
    const reuse = await verify({ email: 'code@example.test', code: first.code });
    // A used code gets the same answer as any other code that does not sign in.
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json()).toEqual({ error: expect.any(String), message: expect.any(String), code: 'invalid_code' });
  });

  it('still accepts a link e-mailed by the legacy system before the deploy (hashed by migration 0010)', async () => {
    const raw = '6f1c2d9e-3b7a-4c55-9a0e-2f6d8b1c4e70';
    await t.ctx.db
      .insertInto('magic_link_token')
      .values({
        email: 'legacy@example.test',
        token: raw,
        verification_code: '123456',
        token_hash: createHash('sha256').update(raw).digest('hex'),
        expires_at: new Date(t.clock.now.getTime() + 5 * 60 * 1000),
        created_at: t.clock.now,
      })
      .execute();
    expect((await verify({ email: 'legacy@example.test', code: '123456' })).statusCode).toBe(400);
    const res = await verify({ token: raw });
    expect(res.statusCode).toBe(200);
    expect(res.json().email).toBe('legacy@example.test');
  });

  it('answers a code for an address that was never sent one like any wrong code (400 invalid_code)', async () => {
    const res = await verify({ email: 'never@example.test', code: '123456' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_code');
  });

  it('rejects a body without token or code, a malformed code and unknown fields', async () => {
    expect((await verify({})).json()).toMatchObject({ code: 'token_or_code_required' });
    expect((await verify({ email: 'x@example.test' })).statusCode).toBe(400);
    const bad = await verify({ email: 'x@example.test', code: '12a' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('invalid_code');
    expect((await verify({ token: 'x', admin: true })).statusCode).toBe(400);
  });

  it('limits verification attempts per client IP (429 with Retry-After)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/auth/magic-link/verify',
        payload: { token: `guess-${i}` },
        remoteAddress: '10.3.9.9',
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(res.json()).toMatchObject({ code: 'rate_limited', retryAfter: expect.any(Number) });
      }
    }
    expect(statuses.slice(0, 30).every((s) => s === 404)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});
