import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * Magic-link secrets. Only hashes are stored: the token is 256 random bits, so a plain SHA-256 is
 * enough; the 6-digit code has only 900,000 values, so its hash is an HMAC keyed with a server
 * secret and salted with the row's token hash (a stolen table cannot be brute-forced offline).
 */

export const newMagicToken = () => randomBytes(32).toString('base64url');
/** A 6-digit one-time code: the magic link's, and the privacy codes of src/account/codes.ts. */
export const newOneTimeCode = () => String(randomInt(100_000, 1_000_000));

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** A key per purpose, derived from the one server secret. */
function subkey(secret: string, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`quickchat:${purpose}`).digest();
}

export function hashCode(secret: string, tokenHash: string, code: string): string {
  return createHmac('sha256', subkey(secret, 'magic-code')).update(`${tokenHash}:${code}`).digest('hex');
}

/** Constant-time equality of two hex digests (false for empty or different lengths). */
export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Lower-cased and trimmed; null when it is not a plausible address. */
export function normaliseEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return null;
  return email;
}
