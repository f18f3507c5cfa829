/**
 * Object- and function-level matrix, generated from the policy table: every route × {owner expert,
 * other expert, signed-in user without a profile, admin, anonymous} × {own object, another expert's,
 * a deleted one, an id that never existed, a malformed id}. A refused request leaves the object as
 * it was; every response also goes through the property checks.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { buildRequest, curl, type Recorder, refFor, routeTest, type Suite, securityApp, send } from './harness.ts';
import { entry, expected, routeKeys } from './policy.ts';
import { inspect } from './properties.ts';
import type { Identity, ObjectCase, RouteEntry } from './types.ts';
import { type Person, World } from './world.ts';

let s: Suite;
beforeAll(async () => {
  s = await securityApp();
}, 120_000);
afterAll(() => s?.t.close());

const ADMIN_KINDS = new Set(['feedback', 'flag']);
const TOKEN_KINDS = new Set(['review', 'export']);

/** The person behind an identity; routes that change their caller (logout, bootstrap) get a new one each time. */
async function callerFor(e: RouteEntry, identity: Identity): Promise<Person | null> {
  if (identity === 'anonymous') return null;
  if (!e.changesCaller) return s.w.people[identity];
  const kind = identity === 'admin' ? 'super_admin' : identity === 'plain' ? 'user' : 'expert';
  return { ...(await World.person(s.t, `${identity}-${s.w.seq()}`, kind)), key: identity };
}

async function call(rec: Recorder, key: string, e: RouteEntry, identity: Identity, objectCase: ObjectCase | null, ref?: string | number) {
  const caller = await callerFor(e, identity);
  const req = await buildRequest(s.w, key, e, { ref, owner: objectCase === 'foreign' ? 'other' : 'owner', caller });
  let headers: Record<string, string> = {};
  if (caller) {
    if (e.access === 'admin' || e.access === 'super_admin') {
      headers =
        identity === 'admin'
          ? { cookie: `admin_session=${await s.w.adminToken(caller)}` }
          : { authorization: `Bearer ${await s.w.mainToken(caller)}` };
    } else headers = { authorization: `Bearer ${await s.w.mainToken(caller)}` };
  }
  req.headers = { ...req.headers, ...headers };
  const res = await send(s.w, req);
  const repro = curl(req, identity);
  const label = objectCase ? `${identity} × ${objectCase}` : identity;
  rec.status(res, expected(e, identity, objectCase), `object: ${label}`, repro);
  inspect(rec, s, { key: key as `${string} ${string}`, e, caller, repro }, res);
  return res;
}

async function objectMatrix(rec: Recorder, key: string, e: RouteEntry) {
  const o = e.object as NonNullable<RouteEntry['object']>;
  const write = key.split(' ')[0] !== 'GET';
  const fresh = async (owner: 'owner' | 'other') => s.w.object(o.kind, owner, o.state, write);
  const unchanged = async (ref: string | number, before: string, label: string) =>
    rec.check(
      (await s.w.snapshot(o.kind, ref)) === before,
      `object: ${label} leaves it unchanged`,
      `the ${o.kind} ${ref} changed after a refused request`,
    );

  if (ADMIN_KINDS.has(o.kind)) {
    // Admin objects have no owner: an admin session may act, nobody else; a support admin not on super_admin routes.
    const ref = await fresh('owner');
    const before = await s.w.snapshot(o.kind, ref);
    for (const identity of ['owner', 'anonymous'] as const) await call(rec, key, e, identity, 'own', ref);
    if (e.access === 'super_admin') {
      const req = await buildRequest(s.w, key, e, { ref });
      req.headers = { ...req.headers, cookie: `admin_session=${await s.w.adminToken(s.w.people.support)}` };
      const res = await send(s.w, req);
      rec.status(res, [403], 'function: support admin on a super_admin route', curl(req, 'support'));
    }
    await unchanged(ref, before, 'non-admin');
    for (const c of ['deleted', 'missing', 'malformed'] as const) {
      await call(rec, key, e, 'admin', c, c === 'deleted' ? s.w.deleted(o.kind) : refFor(o.kind, c));
    }
    await call(rec, key, e, 'admin', 'own', ref);
    return;
  }

  if (TOKEN_KINDS.has(o.kind)) {
    // Whoever holds the token acts for the asker (or account): the session does not matter.
    for (const identity of ['anonymous', 'other'] as const) {
      for (const c of ['deleted', 'missing', 'malformed'] as const) {
        await call(rec, key, e, identity, c, c === 'deleted' ? s.w.deleted(o.kind) : refFor(o.kind, c));
      }
    }
    await call(rec, key, e, 'anonymous', 'own', await fresh('owner'));
    await call(rec, key, e, 'other', 'own', await fresh('owner'));
    return;
  }

  // Owned objects: everyone but the owner is refused and the object stays as it was.
  const own = await fresh('owner');
  const foreign = await fresh('other');
  const ownBefore = await s.w.snapshot(o.kind, own);
  const foreignBefore = await s.w.snapshot(o.kind, foreign);
  for (const identity of ['other', 'plain', 'admin', 'anonymous'] as const) await call(rec, key, e, identity, 'own', own);
  await call(rec, key, e, 'anonymous', 'malformed', refFor(o.kind, 'malformed'));
  await call(rec, key, e, 'owner', 'foreign', foreign);
  await unchanged(own, ownBefore, 'someone else on the owner’s object');
  await unchanged(foreign, foreignBefore, 'the owner on another expert’s object');
  await call(rec, key, e, 'owner', 'deleted', s.w.deleted(o.kind));
  await call(rec, key, e, 'other', 'deleted', s.w.deleted(o.kind));
  await call(rec, key, e, 'owner', 'missing', refFor(o.kind, 'missing'));
  await call(rec, key, e, 'owner', 'malformed', refFor(o.kind, 'malformed'));
  await call(rec, key, e, 'owner', 'own', own);
}

async function identityMatrix(rec: Recorder, key: string, e: RouteEntry) {
  const identities: Identity[] =
    e.access === 'signed_url' || e.access === 'internal_key' || e.access === 'stripe_signature'
      ? ['anonymous', 'owner']
      : ['owner', 'other', 'plain', 'admin', 'anonymous'];
  for (const identity of identities) await call(rec, key, e, identity, null);
}

describe('object and function level', () => {
  for (const key of routeKeys()) {
    const e = entry(key);
    routeTest('object', key, (rec) => (e.object ? objectMatrix(rec, key, e) : identityMatrix(rec, key, e)));
  }
});
