/**
 * The machinery every matrix shares: a security test app with a seeded world, requests built from
 * the policy table, one-line curl reproductions, and a recorder whose results the report reads.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'light-my-request';
import { expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../app.ts';
import { type DocOperation, docsRoutes, type RouteKey } from './inventory.ts';
import { SECURITY_ENV } from './policy.ts';
import type { BuildCtx, Identity, ObjectCase, Req, RouteEntry } from './types.ts';
import { MISSING_ID, type Person, World } from './world.ts';

export interface Suite {
  t: TestApp;
  w: World;
  docs: Map<RouteKey, DocOperation>;
}

/** A fresh app (security environment, own DATA_DIR) with its seeded world and OpenAPI operations. */
export async function securityApp(env: Record<string, string> = {}): Promise<Suite> {
  const t = await createTestApp({ DATA_DIR: mkdtempSync(join(tmpdir(), 'qc-sec-')), ...SECURITY_ENV, ...env });
  const w = await World.create(t);
  const doc = await t.app.inject({ method: 'GET', url: '/docs/json' });
  return { t, w, docs: docsRoutes(doc.json()) };
}

export const methodOf = (key: string) => key.split(' ')[0] as string;
export const pathOf = (key: string) => key.split(' ')[1] as string;

/** Values that name an object of the given case (`own`/`foreign` come from the world). */
export function refFor(kind: string, c: Exclude<ObjectCase, 'own' | 'foreign'>): string | number {
  const token = kind === 'review' || kind === 'export';
  if (c === 'missing') return token ? `missing${'x'.repeat(40)}` : kind === 'flag' ? 'sec_never_existed' : MISSING_ID;
  if (c === 'malformed') return token ? (kind === 'review' ? 'x'.repeat(150) : 'bad!token') : kind === 'flag' ? 'Not A Key!' : 'abc';
  throw new Error(`refFor(${c}) comes from the world`);
}

export interface BuildOpts {
  ref?: string | number;
  owner?: 'owner' | 'other';
  caller?: Person | null;
}

/** The route's sample request, naming `ref` in the object field. Auth headers are added by the caller. */
export async function buildRequest(w: World, key: string, e: RouteEntry, o: BuildOpts = {}): Promise<Req> {
  const c: BuildCtx = { w, ref: o.ref, ownerUserId: w.people[o.owner ?? 'owner'].userId, caller: o.caller ?? null, n: w.seq() };
  if (e.url) {
    const raw = e.raw ? await e.raw(c) : null;
    return { method: methodOf(key), url: await e.url(c), headers: raw?.headers ?? {}, payload: raw?.payload, remoteAddress: w.ip() };
  }
  const params: Record<string, string | number> = { ...(e.params ? await e.params(c) : {}) };
  const query: Record<string, string | number | boolean> = { ...(e.query ? await e.query(c) : {}) };
  let payload: unknown = e.body ? await e.body(c) : undefined;
  let headers: Record<string, string> = {};
  if (e.object && o.ref !== undefined) {
    if (e.object.in === 'params') params[e.object.field] = o.ref;
    else if (e.object.in === 'query') query[e.object.field] = o.ref;
    else payload = { ...((payload as object) ?? {}), [e.object.field]: o.ref };
  }
  if (e.raw) {
    const raw = await e.raw(c);
    payload = raw.payload;
    headers = raw.headers;
  }
  let path = pathOf(key).replace(/:([A-Za-z_]+)/g, (_m, name: string) => encodeURIComponent(String(params[name] ?? '')));
  if (path.endsWith('*')) path = path.slice(0, -1) + String(params['*'] ?? '');
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return { method: methodOf(key), url: qs ? `${path}?${qs}` : path, headers, payload, remoteAddress: w.ip() };
}

export function send(w: World, req: Req): Promise<Response> {
  const payload = req.payload;
  return w.t.app.inject({
    method: req.method as 'GET',
    url: req.url,
    headers: req.headers ?? {},
    remoteAddress: req.remoteAddress ?? w.ip(),
    ...(payload === undefined ? {} : { payload: Buffer.isBuffer(payload) || typeof payload === 'string' ? payload : (payload as object) }),
  });
}

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** A one-line reproduction against a local server; credentials appear as $<WHO>_TOKEN placeholders. */
export function curl(req: Req, who: string): string {
  const parts = ['curl -sS -i', '-X', req.method, shellQuote(`http://localhost:3000${req.url}`)];
  for (const [k, v] of Object.entries(req.headers ?? {})) {
    let value = v;
    if (k === 'authorization' && /^Bearer\s+\S{40,}$/i.test(v)) value = `Bearer $${who.toUpperCase()}_TOKEN`;
    if (k === 'cookie' && v.startsWith('admin_session=') && v.length > 60) value = `admin_session=$${who.toUpperCase()}_ADMIN_SESSION`;
    parts.push('-H', shellQuote(`${k}: ${value}`));
  }
  if (req.payload !== undefined) {
    if (Buffer.isBuffer(req.payload)) parts.push('--data-binary', `@body-${req.payload.length}-bytes.bin`);
    else {
      if (!Object.keys(req.headers ?? {}).some((h) => h.toLowerCase() === 'content-type'))
        parts.push('-H', "'content-type: application/json'");
      parts.push('--data-raw', shellQuote(typeof req.payload === 'string' ? req.payload : JSON.stringify(req.payload)));
    }
  }
  return parts.join(' ');
}

export interface Failure {
  check: string;
  detail: string;
  curl: string;
  matrix?: string;
}

/** Counts checks and keeps failures with their reproduction; the report reads it from the test's meta. */
export class Recorder {
  readonly matrix: string;
  readonly route: string;
  checks = 0;
  readonly failures: Failure[] = [];
  /** Checks per matrix: property checks made inside another matrix count as property checks. */
  readonly counts: Record<string, { checks: number; failed: number }> = {};
  constructor(matrix: string, route: string) {
    this.matrix = matrix;
    this.route = route;
  }
  check(passed: boolean, check: string, detail: string, repro = ''): boolean {
    this.checks++;
    const matrix = check.startsWith('property:') ? 'property' : this.matrix;
    const c = this.counts[matrix] ?? { checks: 0, failed: 0 };
    this.counts[matrix] = c;
    c.checks++;
    if (!passed) {
      c.failed++;
      this.failures.push({ check, detail, curl: repro, matrix });
    }
    return passed;
  }
  status(res: Response, want: number[], check: string, repro: string): boolean {
    return this.check(
      want.includes(res.statusCode),
      check,
      `expected ${want.join('|')}, got ${res.statusCode}: ${res.body.slice(0, 300)}`,
      repro,
    );
  }
}

export interface SecurityMeta {
  matrix: string;
  route: string;
  checks: number;
  counts: Record<string, { checks: number; failed: number }>;
  failures: Failure[];
}

/** One test per route and matrix: it records its checks in the test meta and fails with every reproduction. */
export function routeTest(matrix: string, route: string, fn: (rec: Recorder) => Promise<void>, timeout = 120_000) {
  it(
    route,
    async ({ task }) => {
      const rec = new Recorder(matrix, route);
      try {
        await fn(rec);
      } catch (err) {
        rec.check(false, 'harness', (err as Error).stack ?? String(err));
      }
      const meta: SecurityMeta = { matrix, route, checks: rec.checks, counts: rec.counts, failures: rec.failures };
      (task.meta as Record<string, unknown>).security = meta;
      if (rec.failures.length) {
        expect.fail(
          `${rec.failures.length} of ${rec.checks} checks failed:\n${rec.failures.map((f) => `- ${f.check}: ${f.detail}\n  ${f.curl}`).join('\n')}`,
        );
      }
    },
    timeout,
  );
}

/** The identity a check runs as, for the curl placeholder. */
export const who = (identity: Identity | string) => identity;
