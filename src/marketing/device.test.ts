import { describe, expect, it } from 'vitest';
import { hashIp } from '../http/ip-hash.ts';
import { deviceType } from './device.ts';

describe('deviceType', () => {
  it.each([
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148', 'mobile'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36', 'mobile'],
    ['Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15', 'tablet'],
    ['Mozilla/5.0 (Linux; Android 13; SM-T870) AppleWebKit/537.36 Chrome/120.0 Safari/537.36', 'tablet'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36', 'desktop'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15', 'desktop'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0', 'desktop'],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'unknown'],
    ['curl/8.4.0', 'unknown'],
    ['', 'unknown'],
    [null, 'unknown'],
  ])('%s → %s', (ua, expected) => {
    expect(deviceType(ua)).toBe(expected);
  });
});

describe('hashIp', () => {
  it('is stable for one secret, differs across secrets and never contains the IP', () => {
    const a = hashIp('secret-one', '203.0.113.5');
    expect(a).toBe(hashIp('secret-one', '203.0.113.5'));
    expect(a).not.toBe(hashIp('secret-two', '203.0.113.5'));
    expect(a).not.toBe(hashIp('secret-one', '203.0.113.6'));
    expect(a).toMatch(/^h1_[A-Za-z0-9_-]{32}$/);
    expect(a).not.toContain('203');
  });
});
