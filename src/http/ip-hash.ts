import { createHmac } from 'node:crypto';

/**
 * A client IP as a keyed hash (IP_HASH_SECRET), the only form in which an IP is stored or compared:
 * campaign visits, question attribution, coach limits, magic-link limits, upload sessions. Stable
 * for one secret (visits from one address can be counted, rate-limited and matched to the question
 * that follows), not reversible without it, unlike the legacy 32-bit hash of a 4-billion-value
 * space. `h1_` names the scheme, so a later one can be told apart in stored rows.
 */
export function hashIp(secret: string, ip: string): string {
  return `h1_${createHmac('sha256', secret).update(ip.trim().toLowerCase()).digest('base64url').slice(0, 32)}`;
}
