/**
 * Outbound URLs: every route the policy marks `outbound` (the image proxy and the downloads) refuses
 * loopback, private, link-local, metadata and non-https addresses, also when the host is on the
 * allow list, resolves to such an address, or redirects there — and refuses before connecting.
 * DNS is a fixed table here and every outgoing request is intercepted: nothing leaves 127.0.0.1.
 */

/**
 * Outbound URLs: every route the policy marks `outbound` (the image proxy and the downloads) refuses
 * loopback, private, link-local, metadata and non-https addresses, also when the host is on the
 * allow list, resolves to such an address, or redirects there — and refuses before connecting.
 * DNS is a fixed table here and every outgoing request is intercepted: nothing leaves 127.0.0.1.
 */
import http, { createServer, type Server } from 'node:http';
import https from 'node:https';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RefusedUrlError, safeFetch } from '../../src/media/safe-fetch.ts';
import { curl, type Recorder, routeTest, type Suite, securityApp, send } from './harness.ts';
import { entry, routeKeys } from './policy.ts';

/** The only names this test resolves; anything else does not exist. Public answers never get connected to. */
const DNS: Record<string, { address: string; family: number }[]> = {
  localhost: [{ address: '127.0.0.1', family: 4 }],
  'internal.allowed.test': [{ address: '10.1.2.3', family: 4 }],
  'v6.allowed.test': [{ address: '::ffff:127.0.0.1', family: 6 }],
  'ula.allowed.test': [{ address: 'fd00:ec2::254', family: 6 }],
  'mixed.allowed.test': [
    { address: '93.184.216.34', family: 4 },
    { address: '169.254.169.254', family: 4 },
  ],
  'metadata.google.internal': [{ address: '169.254.169.254', family: 4 }],
  'cdn.allowed.test': [{ address: '93.184.216.34', family: 4 }],
  'redirector.test': [{ address: '127.0.0.1', family: 4 }],
};
vi.mock('node:dns/promises', async (orig) => {
  const real = await orig<typeof import('node:dns/promises')>();
  const lookup = async (host: string) => {
    const hit = DNS[host];
    if (!hit) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return hit;
  };
  return { ...real, lookup, default: { ...real, lookup } };
});

let s: Suite;
beforeAll(async () => {
  s = await securityApp();
}, 120_000);
afterAll(() => s?.t.close());

/** Records every outgoing HTTP(S) request; `cdn.allowed.test` answers with a redirect to `location` without any connection. */
function intercept(location?: string) {
  const seen: string[] = [];
  const fake = (url: URL | string, _opts: unknown, cb?: (res: unknown) => void) => {
    const u = new URL(String(url));
    seen.push(u.host);
    const req = new PassThrough() as PassThrough & { end(): void };
    const res = Object.assign(new PassThrough(), { statusCode: location ? 302 : 200, headers: location ? { location } : {} });
    queueMicrotask(() => {
      cb?.(res);
      res.end();
    });
    return Object.assign(req, { end: () => undefined, destroy: () => undefined });
  };
  vi.spyOn(https, 'request').mockImplementation(fake as unknown as typeof https.request);
  vi.spyOn(http, 'request').mockImplementation(fake as unknown as typeof http.request);
  return seen;
}
afterEach(() => vi.restoreAllMocks());

const INTERNAL = [
  'http://127.0.0.1/x',
  'https://127.0.0.1/x',
  'https://localhost/x',
  'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'http://169.254.169.254/latest/meta-data/',
  'https://metadata.google.internal/computeMetadata/v1/',
  'https://10.0.0.5/x',
  'https://[::1]/x',
  'https://[::ffff:169.254.169.254]/x',
  'https://[fd00:ec2::254]/latest',
  'https://2852039166/latest/meta-data/',
  'https://0x7f000001/x',
  'https://0177.0.0.1/x',
  'https://internal.allowed.test/x',
  'https://v6.allowed.test/x',
  'https://ula.allowed.test/x',
  'https://mixed.allowed.test/x',
  'https://nowhere.allowed.test/x',
  'https://user:secret@cdn.allowed.test/x',
  'https://evil.example/x.png',
  'file:///etc/passwd',
  'gopher://127.0.0.1:6379/_INFO',
  'ftp://10.0.0.5/x',
  'http://localhost:3000/api/media/object/../../etc/passwd',
];
const REDIRECTS = [
  'http://169.254.169.254/latest/meta-data/',
  'https://10.0.0.5/admin',
  'https://localhost:3000/metrics',
  'https://internal.allowed.test/',
  'file:///etc/passwd',
];

async function refusesInternal(rec: Recorder, key: string) {
  const path = key.split(' ')[1] as string;
  for (const url of INTERNAL) {
    const seen = intercept();
    const req = { method: 'GET', url: `${path}?url=${encodeURIComponent(url)}` };
    const res = await send(s.w, req);
    rec.status(res, [400, 404], `outbound: refuses ${url}`, curl(req, 'anonymous'));
    rec.check(seen.length === 0, `outbound: no connection for ${url}`, `connected to ${seen.join(', ')}`, curl(req, 'anonymous'));
    vi.restoreAllMocks();
  }
  if (key.endsWith('download-video')) return; // only our video host's uids: nothing remote is ever fetched
  for (const location of REDIRECTS) {
    const seen = intercept(location);
    const req = { method: 'GET', url: `${path}?url=${encodeURIComponent('https://cdn.allowed.test/file')}` };
    const res = await send(s.w, req);
    rec.status(res, [400], `outbound: refuses a redirect to ${location}`, curl(req, 'anonymous'));
    rec.check(
      seen.join() === 'cdn.allowed.test',
      `outbound: redirect to ${location} refused before connecting`,
      `requests: ${seen.join(', ')}`,
    );
    vi.restoreAllMocks();
  }
}

describe('outbound URLs', () => {
  for (const key of routeKeys()) if (entry(key).outbound) routeTest('outbound', key, (rec) => refusesInternal(rec, key));

  describe('safeFetch through a real redirecting server on 127.0.0.1', () => {
    let server: Server;
    let port = 0;
    const hits: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        hits.push(req.url ?? '');
        const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/';
        res.writeHead(302, { location: to }).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    // (Loopback itself is let through here, to reach the stub: the route-level checks above refuse it.)
    const targets = REDIRECTS.filter((u) => !u.includes('localhost')).concat(['http://[::1]:9/x', 'https://mixed.allowed.test/x']);
    it.each(targets)('refuses a redirect to %s before connecting', async (to) => {
      const connects: string[] = [];
      const real = http.request;
      vi.spyOn(http, 'request').mockImplementation(((url: URL, opts: object, cb: () => void) => {
        connects.push(new URL(String(url)).host);
        return real(url, opts, cb);
      }) as unknown as typeof http.request);
      vi.spyOn(https, 'request').mockImplementation((() => {
        throw new Error('no https connection may be attempted');
      }) as unknown as typeof https.request);
      const before = hits.length;
      const fetching = safeFetch(`http://redirector.test:${port}/hop?to=${encodeURIComponent(to)}`, {
        allowHost: () => true,
        allowAddress: (ip) => ip === '127.0.0.1',
      });
      await expect(fetching).rejects.toBeInstanceOf(RefusedUrlError);
      expect(hits.length - before).toBe(1);
      expect(connects).toEqual([`redirector.test:${port}`]);
    });
  });
});
