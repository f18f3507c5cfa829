/**
 * Rate limits, generated from the policy table: for each limited class, `max` requests pass and the
 * next one is a 429 with Retry-After (and retryAfter in the body). Per-IP limits reset for another
 * address; per-user limits hold across addresses and reset for another user; per-address and
 * per-account counts hold across addresses too.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { buildRequest, curl, type Recorder, routeTest, type Suite, securityApp, send } from './harness.ts';
import { entry, RATE_LIMIT_ENV, routeKeys } from './policy.ts';
import type { Limit, Req, RouteEntry } from './types.ts';
import { type Person, type PersonKind, World } from './world.ts';

let s: Suite;
beforeAll(async () => {
  s = await securityApp(RATE_LIMIT_ENV);
}, 120_000);
afterAll(() => s?.t.close());

let fixedIp = 0;
const newIp = () => `198.18.${(++fixedIp >> 8) & 255}.${fixedIp & 255}`;

function callerKind(e: RouteEntry): PersonKind | null {
  if (e.access === 'admin' || e.access === 'super_admin' || e.access === 'admin_login') return 'super_admin';
  if (e.access === 'user' || e.access === 'expert') return 'expert';
  return null;
}

/** One request of the route as `caller` from `ip`; `email` pins the body's address. */
async function one(
  key: string,
  e: RouteEntry,
  caller: Person | null,
  ip: string,
  ref: string | number | undefined,
  email?: string,
): Promise<Req> {
  const req = await buildRequest(s.w, key, e, { ref, caller });
  if (email) req.payload = { ...(req.payload as object), email };
  if (caller) {
    const admin = e.access === 'admin' || e.access === 'super_admin';
    req.headers = {
      ...req.headers,
      ...(admin ? { cookie: `admin_session=${await s.w.adminToken(caller)}` } : { authorization: `Bearer ${await s.w.mainToken(caller)}` }),
    };
  }
  return { ...req, remoteAddress: ip };
}

async function checkLimit(rec: Recorder, key: string, e: RouteEntry, l: Limit) {
  const kind = callerKind(e);
  const fresh = async () => (kind ? World.person(s.t, `rl${s.w.seq()}`, kind) : null);
  const caller = await fresh();
  const o = e.object;
  const ref = o ? await s.w.object(o.kind, 'owner', o.state, false) : undefined;
  // The object must belong to the caller for the request to count as a real one.
  const own = o && caller?.expert && o.kind !== 'export' ? await ownObject(caller, o.kind, o.state) : ref;
  const ip = newIp();
  const email = l.per === 'email' ? `limit-${s.w.seq()}@user.test` : undefined;
  const at = () => (l.per === 'ip' ? ip : newIp());
  const label = `${l.class} (${l.max} per ${l.per})`;
  for (let i = 0; i < l.max; i++) {
    const req = await one(key, e, caller, at(), own, email);
    const res = await send(s.w, req);
    if (
      !rec.check(
        res.statusCode !== 429,
        `limit: ${label}: request ${i + 1} passes`,
        `429 before the limit: ${res.body.slice(0, 200)}`,
        curl(req, 'caller'),
      )
    )
      return;
  }
  const over = await one(key, e, caller, at(), own, email);
  const res = await send(s.w, over);
  const repro = curl(over, 'caller');
  rec.status(res, [429], `limit: ${label}: request ${l.max + 1} is refused`, repro);
  const retry = Number(res.headers['retry-after']);
  rec.check(Number.isFinite(retry) && retry >= 1, `limit: ${label}: Retry-After`, `Retry-After = ${res.headers['retry-after']}`, repro);
  if (res.statusCode === 429)
    rec.check(typeof res.json().retryAfter === 'number', `limit: ${label}: retryAfter in the body`, res.body, repro);
  // Someone else is not affected: another address, another user, another e-mail.
  const other = l.per === 'ip' ? await one(key, e, caller, newIp(), own) : l.per === 'email' ? await one(key, e, caller, ip, own) : null;
  let otherReq = other;
  if (l.per === 'user' || l.per === 'account') {
    const someone = await fresh();
    const theirs = o && someone?.expert && o.kind !== 'export' ? await ownObject(someone, o.kind, o.state) : ref;
    otherReq = await one(key, e, someone, ip, theirs);
  }
  if (otherReq) {
    const r = await send(s.w, otherReq);
    rec.check(r.statusCode !== 429, `limit: ${label}: others unaffected`, `got 429 for another ${l.per}`, curl(otherReq, 'other'));
  }
}

/** An object of the caller (a fresh expert) in the state the route needs. */
async function ownObject(p: Person, kind: string, state: string): Promise<string | number | undefined> {
  const e = p.expert;
  if (!e) return undefined;
  if (kind === 'question')
    return (await s.w.askOf(e, `rl-${s.w.seq()}@asker.test`, state === 'dd_pending' ? 'deep_dive' : 'quick_consult')).questionId;
  if (kind === 'media') return s.w.media(p);
  return undefined;
}

describe('rate limits', () => {
  for (const key of routeKeys()) {
    const e = entry(key);
    if (!e.limit) continue;
    const limits = Array.isArray(e.limit) ? e.limit : [e.limit];
    routeTest('limits', key, async (rec) => {
      for (const l of limits) await checkLimit(rec, key, e, l);
    });
  }
});
