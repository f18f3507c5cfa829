/**
 * Authentication matrix, generated from the policy table. Main-session routes get: no token, a
 * malformed header, a forged signature, an expired token, a revoked one (token_version bumped by a
 * logout), the token of an erased account, an unsigned (alg none) token and an admin session
 * presented as a main one → 401, no data, and the named object unchanged. Routes where a session is
 * optional treat every bad token as anonymous (never 401). Admin routes get the admin equivalents.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe } from 'vitest';
import { signAdminSession } from '../../src/admin/session.ts';
import { signSession } from '../../src/auth/jwt.ts';
import { bearer } from '../factories.ts';
import { buildRequest, curl, type Recorder, routeTest, type Suite, securityApp, send } from './harness.ts';
import { ERASER, entry, expected, routeKeys } from './policy.ts';
import { inspect } from './properties.ts';
import type { RouteEntry } from './types.ts';
import { World } from './world.ts';

let s: Suite;
let mainVariants: { name: string; headers: Record<string, string> }[];
let adminVariants: { name: string; headers: Record<string, string>; status: number[] }[];

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

beforeAll(async () => {
  s = await securityApp();
  const { w, t } = s;
  const owner = w.people.owner;
  const secret = t.ctx.config.jwtSecret;
  const now = t.ctx.now();
  // Revoked: a session of a user who then signed out everywhere.
  const revoked = await World.person(t, 'revoked', 'expert');
  const revokedToken = await w.mainToken(revoked);
  const out = await t.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(revokedToken) });
  if (out.statusCode !== 200) throw new Error(`logout failed: ${out.statusCode}`);
  const claims = { userId: owner.userId, tokenVersion: 0 };
  mainVariants = [
    { name: 'no token', headers: {} },
    { name: 'malformed header', headers: { authorization: 'Bearer not-a-jwt' } },
    { name: 'empty bearer', headers: { authorization: 'Bearer ' } },
    { name: 'basic auth', headers: { authorization: 'Basic dXNlcjpwYXNz' } },
    { name: 'forged signature', headers: bearer(await signSession(`${secret}-not-ours`, claims, now)) },
    { name: 'expired', headers: bearer(await signSession(secret, claims, new Date(now.getTime() - 25 * 3600_000))) },
    { name: 'revoked (token_version bumped)', headers: bearer(revokedToken) },
    { name: ERASER, headers: bearer(w.gone.token) },
    {
      name: 'erased account (another session)',
      headers: bearer(await signSession(secret, { userId: w.gone.userId, tokenVersion: 0 }, new Date(now.getTime() - 60_000))),
    },
    {
      name: 'alg none',
      headers: bearer(
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: String(owner.userId), ver: 0, iss: 'quickchat', aud: 'quickchat-session' })}.`,
      ),
    },
    {
      name: 'wrong audience',
      headers: bearer(
        await new SignJWT({ ver: 0 })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(String(owner.userId))
          .setIssuer('quickchat')
          .setAudience('someone-else')
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(secret)),
      ),
    },
    { name: 'admin session as main session', headers: bearer(await w.adminToken(w.people.admin)) },
  ];

  const admin = w.people.admin;
  const adminRow = { adminId: admin.adminId as number, userId: admin.userId, adminVersion: 0, userVersion: 0 };
  const ttl = t.ctx.config.adminSessionMinutes * 60;
  const cookie = (token: string) => ({ cookie: `admin_session=${token}` });
  const disabled = await World.person(t, 'disabled', 'super_admin');
  const disabledToken = await w.adminToken(disabled);
  await t.database.db
    .updateTable('admin_users')
    .set({ disabled: true })
    .where('id', '=', disabled.adminId as number)
    .execute();
  const demoted = await World.person(t, 'demoted', 'super_admin');
  const demotedToken = await w.adminToken(demoted);
  await t.database.db.updateTable('user').set({ token_version: 1 }).where('id', '=', demoted.userId).execute();
  adminVariants = [
    { name: 'no session', headers: {}, status: [401] },
    { name: 'malformed cookie', headers: { cookie: 'admin_session=not-a-jwt' }, status: [401] },
    { name: 'main session instead of admin', headers: bearer(await w.mainToken(admin)), status: [401] },
    { name: 'main session in the admin cookie', headers: cookie(await w.mainToken(admin)), status: [401] },
    { name: 'forged admin session', headers: cookie(await signAdminSession(`${secret}-x`, adminRow, now, ttl)), status: [401] },
    {
      name: 'expired admin session',
      headers: cookie(await signAdminSession(secret, adminRow, new Date(now.getTime() - 2 * ttl * 1000), ttl)),
      status: [401],
    },
    {
      name: 'revoked admin session (admin version)',
      headers: cookie(await signAdminSession(secret, { ...adminRow, adminVersion: 7 }, now, ttl)),
      status: [401],
    },
    { name: 'user signed out everywhere', headers: cookie(demotedToken), status: [401] },
    {
      name: 'admin of another user id',
      headers: cookie(await signAdminSession(secret, { ...adminRow, userId: owner.userId }, now, ttl)),
      status: [401],
    },
    { name: 'disabled admin', headers: cookie(disabledToken), status: [403] },
  ];
}, 120_000);
afterAll(() => s?.t.close());

const MAIN = new Set(['user', 'expert', 'optional_user', 'admin_login']);
const ADMIN = new Set(['admin', 'super_admin']);

async function mainMatrix(rec: Recorder, key: string, e: RouteEntry) {
  const { w } = s;
  const o = e.object;
  const ref = o ? await w.object(o.kind, 'owner', o.state, key.split(' ')[0] !== 'GET') : undefined;
  const before = o && ref !== undefined ? await w.snapshot(o.kind, ref) : '';
  const anonymous = expected(e, 'anonymous', null);
  for (const v of mainVariants) {
    const req = await buildRequest(w, key, e, { ref, owner: 'owner', caller: null });
    req.headers = { ...req.headers, ...v.headers };
    const res = await send(w, req);
    const repro = curl(req, 'bad');
    // A bad token never reaches the data: 401 where a session is required, the anonymous answer where it is optional.
    let want = e.access === 'optional_user' ? anonymous : (e.authn?.[v.name] ?? [401]);
    if (e.access === 'admin_login' && v.name === 'admin session as main session') want = [401];
    rec.status(res, want, `authn: ${v.name}`, repro);
    if (e.access === 'optional_user') rec.check(res.statusCode !== 401, 'authn: optional session never 401', `${v.name} gave 401`, repro);
    inspect(rec, s, { key: key as `${string} ${string}`, e, caller: null, repro }, res);
  }
  if (o && ref !== undefined) {
    rec.check(
      (await w.snapshot(o.kind, ref)) === before,
      'authn: object unchanged',
      `the ${o.kind} ${ref} changed after requests with bad tokens`,
    );
  }
  if (key.startsWith('GET ') && e.access !== 'optional_user') {
    const req = await buildRequest(w, key, e, { ref, caller: null });
    const res = await send(w, { ...req, method: 'HEAD' });
    rec.status(res, [401], 'authn: HEAD without token', curl({ ...req, method: 'HEAD' }, 'none'));
  }
}

async function adminMatrix(rec: Recorder, key: string, e: RouteEntry) {
  const { w } = s;
  const o = e.object;
  const ref = o ? await w.object(o.kind, 'owner', o.state, true) : undefined;
  const before = o && ref !== undefined ? await w.snapshot(o.kind, ref) : '';
  for (const v of adminVariants) {
    const req = await buildRequest(w, key, e, { ref, caller: null });
    req.headers = { ...req.headers, ...v.headers };
    const res = await send(w, req);
    const repro = curl(req, 'bad');
    rec.status(res, v.status, `authn: ${v.name}`, repro);
    inspect(rec, s, { key: key as `${string} ${string}`, e, caller: null, repro }, res);
  }
  if (o && ref !== undefined) {
    rec.check(
      (await w.snapshot(o.kind, ref)) === before,
      'authn: object unchanged',
      `the ${o.kind} ${ref} changed after requests with bad sessions`,
    );
  }
}

/** Token-bearing routes: the credential is the URL, the key or the signature. */
async function credentialMatrix(rec: Recorder, key: string, e: RouteEntry) {
  const { w, t } = s;
  const base = await buildRequest(w, key, e, { caller: null });
  const variants: { name: string; req: typeof base; status: number[] }[] = [];
  if (e.access === 'signed_url') {
    const [path, qs] = base.url.split('?') as [string, string];
    const q = new URLSearchParams(qs);
    const sig = q.get('sig') ?? '';
    const forged = new URLSearchParams(q);
    forged.set('sig', `${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`);
    const unsigned = new URLSearchParams(q);
    unsigned.delete('sig');
    const stretched = new URLSearchParams(q);
    stretched.set('exp', String(Number(q.get('exp')) + 3600_000));
    variants.push(
      { name: 'no signature', req: { ...base, url: `${path}?${unsigned}` }, status: [403] },
      { name: 'forged signature', req: { ...base, url: `${path}?${forged}` }, status: [403] },
      { name: 'expiry moved', req: { ...base, url: `${path}?${stretched}` }, status: [403] },
      { name: 'no query', req: { ...base, url: path }, status: [403] },
    );
  }
  if (e.access === 'internal_key') {
    // The key travels in the body or (GET, DELETE, and POST as the legacy crons sent it) in the query.
    const [path, qs = ''] = base.url.split('?') as [string, string?];
    const inQuery = new URLSearchParams(qs).has('x_api_key');
    const withKey = (key: string | undefined) => {
      if (!inQuery) return { ...base, payload: { ...(base.payload as Record<string, unknown>), x_api_key: key } };
      const q = new URLSearchParams(qs);
      if (key === undefined) q.delete('x_api_key');
      else q.set('x_api_key', key);
      return { ...base, url: q.toString() ? `${path}?${q}` : path };
    };
    // Missing: 400 where the schema requires the key, 401 where it may come in the query or the body.
    variants.push(
      { name: 'wrong key', req: withKey('wrong-key-wrong-key-wrong-key-0000'), status: [401] },
      { name: 'key of the wrong length', req: withKey('short'), status: [401] },
      { name: 'no key', req: withKey(undefined), status: [400, 401] },
      {
        name: 'a session instead of the key',
        req: { ...withKey(undefined), headers: bearer(await w.mainToken(w.people.admin)) },
        status: [400, 401],
      },
    );
  }
  if (e.access === 'stripe_signature') {
    variants.push(
      { name: 'unsigned', req: base, status: [t.ctx.payments.kind === 'stripe' ? 400 : 404] },
      {
        name: 'forged signature',
        req: { ...base, headers: { 'stripe-signature': 't=1,v1=deadbeef' } },
        status: [t.ctx.payments.kind === 'stripe' ? 400 : 404],
      },
    );
  }
  for (const v of variants) {
    const res = await send(w, { ...v.req, remoteAddress: w.ip() });
    const repro = curl(v.req, 'none');
    rec.status(res, v.status, `authn: ${v.name}`, repro);
    inspect(rec, s, { key: key as `${string} ${string}`, e, caller: null, repro }, res);
  }
}

describe('authentication matrix', () => {
  for (const key of routeKeys()) {
    const e = entry(key);
    if (MAIN.has(e.access)) routeTest('authn', key, (rec) => mainMatrix(rec, key, e));
    else if (ADMIN.has(e.access)) routeTest('authn', key, (rec) => adminMatrix(rec, key, e));
    else if (e.access === 'signed_url' || e.access === 'internal_key' || e.access === 'stripe_signature') {
      routeTest('authn', key, (rec) => credentialMatrix(rec, key, e));
    }
  }
});
