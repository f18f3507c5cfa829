/**
 * Property level, writes: every write of the policy table is tried with each field the caller may
 * not set (status, prices, owner ids, tokens, timestamps). It is rejected (4xx, and then nothing at
 * all changed) or ignored (2xx, and no row was written with that value).
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { buildRequest, curl, type Recorder, routeTest, type Suite, securityApp, send } from './harness.ts';
import { entry, routeKeys } from './policy.ts';
import type { Identity, RouteEntry } from './types.ts';

let s: Suite;
beforeAll(async () => {
  s = await securityApp();
}, 120_000);
afterAll(() => s?.t.close());

const TABLES = [
  'user',
  'expert_profile',
  'question',
  'payment',
  'answer',
  'media_asset',
  'utm_campaign',
  'feedback',
  'feature_flags',
  'question_coaching_sessions',
] as const;
type Rows = Map<string, Record<string, unknown>>;

/** Every row of the tables a write could touch, keyed `table:id`. */
async function rows(): Promise<Rows> {
  const out: Rows = new Map();
  for (const table of TABLES) {
    for (const r of await s.t.database.db.selectFrom(table).selectAll().execute())
      out.set(`${table}:${(r as { id: number }).id}`, r as Record<string, unknown>);
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const holds = (stored: unknown, value: unknown) =>
  stored instanceof Date
    ? typeof value === 'number' && stored.getTime() === value
    : stored !== null && stored !== undefined && String(stored) === String(value);

function rightful(e: RouteEntry): Identity {
  if (e.access === 'admin' || e.access === 'super_admin') return 'admin';
  if (e.access === 'user' || e.access === 'expert') return 'owner';
  return 'anonymous';
}

async function tryForbidden(rec: Recorder, key: string, e: RouteEntry) {
  const identity = rightful(e);
  for (const [field, value] of Object.entries(e.forbidden ?? {})) {
    const o = e.object;
    const ref = o ? await s.w.object(o.kind, 'owner', o.state, true) : undefined;
    const caller = identity === 'anonymous' ? null : s.w.people[identity];
    const req = await buildRequest(s.w, key, e, { ref, caller });
    req.payload = { ...(req.payload as object), [field]: value };
    if (caller) {
      const admin = identity === 'admin';
      req.headers = {
        ...req.headers,
        ...(admin
          ? { cookie: `admin_session=${await s.w.adminToken(caller)}` }
          : { authorization: `Bearer ${await s.w.mainToken(caller)}` }),
      };
    }
    const before = await rows();
    const res = await send(s.w, req);
    const after = await rows();
    const repro = curl(req, identity);
    const changed = [...after].filter(([id, r]) => !same(before.get(id), r));
    if (res.statusCode >= 400) {
      rec.check(
        res.statusCode < 500 && changed.length === 0,
        `write: ${field} rejected, nothing changed`,
        `status ${res.statusCode}; rows changed: ${changed.map(([id]) => id).join(', ') || 'none'}`,
        repro,
      );
    } else {
      const written = changed.filter(([, r]) => field in r && holds(r[field], value));
      rec.check(
        written.length === 0,
        `write: ${field} ignored`,
        `${field}=${JSON.stringify(value)} was stored in ${written.map(([id]) => id).join(', ')}`,
        repro,
      );
      const echoed = res.body.includes(`"${field}":${JSON.stringify(value)}`);
      rec.check(!echoed, `write: ${field} not echoed`, `the response claims ${field}=${JSON.stringify(value)}`, repro);
    }
  }
}

describe('writes with fields the caller may not set', () => {
  for (const key of routeKeys()) {
    const e = entry(key);
    if (e.forbidden) routeTest('property', key, (rec) => tryForbidden(rec, key, e));
  }
});
