import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

/** Raised for any URL the server refuses to fetch; the message names the reason. */
export class RefusedUrlError extends Error {}

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, includes the cloud metadata address 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7], // unique local, includes AWS's metadata fd00:ec2::254
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/** Loopback, private, link-local, metadata, multicast, reserved and documentation addresses. */
export function isForbiddenAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(?:0:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped) return blocked.check(mapped, 'ipv4');
  const hexMapped = /^::ffff:(?:0:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (hexMapped) {
    const n = (Number.parseInt(hexMapped[1] ?? '0', 16) << 16) | Number.parseInt(hexMapped[2] ?? '0', 16);
    return blocked.check([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), 'ipv4');
  }
  return blocked.check(ip, 'ipv6');
}

/** `host` is allowed when listed exactly or under a `*.domain` entry. */
export function hostAllowed(allowList: readonly string[], host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allowList.some((entry) => (entry.startsWith('*.') ? h.endsWith(entry.slice(1)) && h.length > entry.length - 1 : h === entry));
}

export interface SafeFetchOptions {
  allowHost: (host: string) => boolean;
  headers?: Record<string, string>;
  maxRedirects?: number;
  timeoutMs?: number;
  /** DNS resolution; injectable for tests. */
  resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
  /** Tests only: lets a test server on loopback through. Never set from configuration. */
  allowAddress?: (ip: string) => boolean;
}

export interface SafeResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: IncomingMessage;
  url: string;
}

const defaultResolve = (host: string) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Fetches a URL the caller did not choose freely: https only, the host must be on the allow
 * list, every address the name resolves to must be public, the connection is pinned to the
 * vetted address (no DNS rebinding), and every redirect hop is checked the same way.
 */
export async function safeFetch(rawUrl: string, opts: SafeFetchOptions): Promise<SafeResponse> {
  const maxRedirects = opts.maxRedirects ?? 3;
  let url = rawUrl;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const target = await vet(url, opts);
    const res = await request(target.url, target.address, target.family, opts);
    const location = res.headers.location;
    if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
      res.resume();
      url = new URL(location, target.url).toString();
      continue;
    }
    return { status: res.statusCode ?? 502, headers: res.headers, body: res, url: target.url.toString() };
  }
  throw new RefusedUrlError(`Too many redirects (more than ${maxRedirects}).`);
}

async function vet(raw: string, opts: SafeFetchOptions): Promise<{ url: URL; address: string; family: number }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RefusedUrlError('Not an absolute URL.');
  }
  if (url.protocol !== 'https:' && !(opts.allowAddress && url.protocol === 'http:'))
    throw new RefusedUrlError('Only https URLs are fetched.');
  if (url.username || url.password) throw new RefusedUrlError('URLs with credentials are refused.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const permitted = (ip: string) => opts.allowAddress?.(ip) ?? !isForbiddenAddress(ip);
  if (isIP(host)) {
    if (!permitted(host)) throw new RefusedUrlError(`Address ${host} is not public.`);
    if (!opts.allowHost(host)) throw new RefusedUrlError(`Host ${host} is not on the allow list.`);
    return { url, address: host, family: isIP(host) };
  }
  if (!opts.allowHost(host)) throw new RefusedUrlError(`Host ${host} is not on the allow list.`);
  let addresses: { address: string; family: number }[];
  try {
    addresses = await (opts.resolve ?? defaultResolve)(host);
  } catch {
    throw new RefusedUrlError(`Host ${host} does not resolve.`);
  }
  if (!addresses.length) throw new RefusedUrlError(`Host ${host} does not resolve.`);
  const bad = addresses.find((a) => !permitted(a.address));
  if (bad) throw new RefusedUrlError(`Host ${host} resolves to ${bad.address}, which is not public.`);
  const first = addresses[0] as { address: string; family: number };
  return { url, address: first.address, family: first.family };
}

function request(url: URL, address: string, family: number, opts: SafeFetchOptions): Promise<IncomingMessage> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: 'GET',
        headers: { 'user-agent': 'quickchat-media-proxy', ...opts.headers },
        timeout: opts.timeoutMs ?? 10_000,
        // Connect to the address we vetted, not to whatever a second DNS answer says.
        lookup: (_host, o, cb) => {
          if ((o as { all?: boolean }).all)
            (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
          else cb(null, address, family);
        },
      },
      resolve,
    );
    req.on('timeout', () => req.destroy(new RefusedUrlError('The remote host did not answer in time.')));
    req.on('error', reject);
    req.end();
  });
}
