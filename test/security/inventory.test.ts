/**
 * Inventory: the live router, the OpenAPI document and the policy table list the same routes.
 * A route the router serves without a policy entry, an entry for a route that no longer exists,
 * a documented route missing from the table, or an undocumented route without a `hidden` reason
 * each fail here (one test per route, so the report names it).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../app.ts';
import { routeTest } from './harness.ts';
import { docsRoutes, isFrameworkTwin, type RouteKey, routerRoutes } from './inventory.ts';
import { POLICY, SECURITY_ENV } from './policy.ts';

// Collected at load time, so that every live route gets its own test.
const t = await createTestApp(SECURITY_ENV);
afterAll(() => t.close());
const live = routerRoutes(t.app);
const docs = docsRoutes((await t.app.inject({ method: 'GET', url: '/docs/json' })).json());
const served = [...live].filter((k) => !isFrameworkTwin(k, live));
const all = [...new Set<RouteKey>([...served, ...(Object.keys(POLICY) as RouteKey[]), ...docs.keys()])].sort();

describe('route inventory: router × OpenAPI × policy table', () => {
  it('finds the routes (sanity: the parser read the router)', () => {
    expect(served.length).toBeGreaterThan(90);
    expect(live.has('GET /question/:id')).toBe(true);
    expect(live.has('HEAD /question/:id')).toBe(true);
  });

  for (const key of all) {
    routeTest('inventory', key, async (rec) => {
      const e = POLICY[key];
      const inRouter = live.has(key);
      const inDocs = docs.has(key);
      rec.check(Boolean(e), 'inventory: policy entry', `${key} has no entry in test/security/policy.ts: add who may call it`);
      rec.check(inRouter, 'inventory: served by the router', `${key} is in the table or the docs but the router does not serve it`);
      if (e?.hidden) {
        rec.check(!inDocs, 'inventory: hidden route absent from docs', `${key} is marked hidden (${e.hidden}) but /docs/json lists it`);
        if (e.alias)
          rec.check(
            docs.has(e.alias as RouteKey),
            'inventory: alias documented',
            `${key} is an alias of ${e.alias}, which /docs/json does not list`,
          );
      } else {
        rec.check(inDocs, 'inventory: documented', `${key} is missing from /docs/json: document it, or mark it hidden with a reason`);
      }
      const op = docs.get(key);
      if (e && op) {
        const needsSession = e.access === 'user' || e.access === 'expert';
        rec.check(
          !needsSession || Boolean(op.security?.length),
          'inventory: docs declare the session',
          `${key} needs a session but its OpenAPI operation has no security requirement`,
        );
      }
    });
  }

  it('covers HEAD twins by their GET entry and nothing else implicitly', () => {
    const implicit = [...live].filter((k) => isFrameworkTwin(k, live));
    for (const k of implicit) {
      const [method, path] = k.split(' ');
      if (method === 'HEAD') expect(POLICY[`GET ${path}`], k).toBeDefined();
    }
  });
});
