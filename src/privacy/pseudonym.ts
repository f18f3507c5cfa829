import { createHash, createHmac } from 'node:crypto';

/**
 * The unlinkable stand-ins for an erased person on the rows kept on purpose (payments, the
 * erasure audit): an HMAC under a server secret, so that nobody without the secret can go from a
 * pseudonym back to an account id or an e-mail address, while the same person always gets the
 * same pseudonym (an accountant can still match the payments of one payer).
 */
export type PseudonymKind = 'user' | 'payer';

export function pseudonym(secret: string, kind: PseudonymKind, value: string | number): string {
  const v = kind === 'payer' ? String(value).trim().toLowerCase() : String(value);
  return `${kind === 'user' ? 'u' : 'p'}_${createHmac('sha256', secret).update(`${kind}:${v}`).digest('base64url').slice(0, 32)}`;
}

/** Idempotency keys are stored hashed: the audit row keeps nothing a client sent verbatim. */
export const hashIdempotencyKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/** When a pseudonymised payment may be deleted: `days` after the erasure. */
export function retainUntil(now: Date, days: number): Date {
  return new Date(now.getTime() + days * 24 * 3600_000);
}
