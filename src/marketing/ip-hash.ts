import { createHmac } from 'node:crypto';

/**
 * A visitor's IP as a keyed hash: stable for one secret (so visits from one address can be
 * counted, rate-limited and matched to the question that follows), but not reversible without
 * the secret, unlike the legacy 32-bit hash of a 4-billion-value space. The raw IP is never stored.
 */
export function hashVisitorIp(secret: string, ip: string): string {
  return `h1_${createHmac('sha256', secret).update(ip.trim().toLowerCase()).digest('base64url').slice(0, 32)}`;
}
