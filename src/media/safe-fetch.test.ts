import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAllowed, isForbiddenAddress, RefusedUrlError, safeFetch } from './safe-fetch.ts';

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.2.3.4', true],
    ['172.20.1.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fd00:ec2::254', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:10.0.0.1', true],
    ['8.8.8.8', false],
    ['1.1.1.1', false],
    ['2606:4700:4700::1111', false],
  ])('%s → %s', (ip, forbidden) => {
    expect(isForbiddenAddress(ip)).toBe(forbidden);
  });
});

describe('hostAllowed', () => {
  it('matches exact hosts and *.domain entries, nothing else', () => {
    const list = ['images.example.com', '*.r2.dev'];
    expect(hostAllowed(list, 'images.example.com')).toBe(true);
    expect(hostAllowed(list, 'pub-1.r2.dev')).toBe(true);
    expect(hostAllowed(list, 'r2.dev')).toBe(false);
    expect(hostAllowed(list, 'evilr2.dev')).toBe(false);
    expect(hostAllowed(list, 'images.example.com.evil.test')).toBe(false);
  });
});

describe('safeFetch', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/img') {
        res.writeHead(200, { 'content-type': 'image/png' });
        return void res.end('png');
      }
      if (req.url === '/to-metadata') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        return void res.end();
      }
      if (req.url === '/to-other-host') {
        res.writeHead(302, { location: 'https://not-allowed.example/x' });
        return void res.end();
      }
      if (req.url === '/loop') {
        res.writeHead(302, { location: '/loop' });
        return void res.end();
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  // A test server on loopback stands in for an allowed public host; only 127.0.0.1 is let through.
  const opts = {
    allowHost: (h: string) => h === 'files.test' || h === '127.0.0.1',
    resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    allowAddress: (ip: string) => ip === '127.0.0.1',
  };

  it('fetches an allowed host, connecting to the vetted address', async () => {
    const res = await safeFetch(`http://files.test:${port}/img`, opts);
    expect(res.status).toBe(200);
    res.body.resume();
  });

  it('refuses a redirect to a metadata address or to a host off the list', async () => {
    await expect(safeFetch(`http://files.test:${port}/to-metadata`, opts)).rejects.toThrow(/not public/);
    await expect(safeFetch(`http://files.test:${port}/to-other-host`, opts)).rejects.toThrow(/allow list/);
    await expect(safeFetch(`http://files.test:${port}/loop`, opts)).rejects.toThrow(/redirects/);
  });

  it('refuses names that resolve to private addresses, and every non-https URL by default', async () => {
    const strict = { allowHost: () => true };
    await expect(
      safeFetch('https://rebind.test/x', {
        ...strict,
        resolve: async () => [
          { address: '8.8.8.8', family: 4 },
          { address: '10.0.0.5', family: 4 },
        ],
      }),
    ).rejects.toThrow(/10\.0\.0\.5/);
    await expect(
      safeFetch('https://v6.test/x', { ...strict, resolve: async () => [{ address: '::ffff:127.0.0.1', family: 6 }] }),
    ).rejects.toBeInstanceOf(RefusedUrlError);
    await expect(safeFetch('http://8.8.8.8/x', strict)).rejects.toThrow(/https/);
    await expect(safeFetch('https://2130706433/x', strict)).rejects.toThrow(/127\.0\.0\.1/);
    await expect(safeFetch('https://user:pw@files.test/x', strict)).rejects.toThrow(/credentials/);
    await expect(safeFetch('https://files.test/x', { allowHost: () => false })).rejects.toThrow(/allow list/);
  });
});
