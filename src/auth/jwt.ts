import type { webcrypto } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

type CryptoKey = webcrypto.CryptoKey;

/** What a session token carries: the user and the token version it was issued under. */
export interface SessionClaims {
  userId: number;
  tokenVersion: number;
}

const ISSUER = 'quickchat';
const AUDIENCE = 'quickchat-session';
export const SESSION_TTL_SECONDS = 24 * 60 * 60;

/**
 * jose imports a raw Uint8Array secret into a WebCrypto key on every sign and verify; importing
 * it once per secret and reusing the CryptoKey takes that off every authenticated request.
 */
const keyCache = new Map<string, Promise<CryptoKey>>();
function key(secret: string): Promise<CryptoKey> {
  let k = keyCache.get(secret);
  if (!k) {
    k = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keyCache.set(secret, k);
  }
  return k;
}

export async function signSession(secret: string, claims: SessionClaims, now: Date, ttlSeconds = SESSION_TTL_SECONDS): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ ver: claims.tokenVersion })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(claims.userId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(await key(secret));
}

/** A verified session also says when it was issued (seconds), for revocations by time. */
export interface VerifiedSession extends SessionClaims {
  issuedAt: number;
}

/** Returns the claims, or null for any token that is malformed, forged, expired or not ours. */
export async function verifySession(secret: string, token: string, now: Date): Promise<VerifiedSession | null> {
  try {
    const { payload } = await jwtVerify(token, await key(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      currentDate: now,
    });
    const userId = Number(payload.sub);
    const tokenVersion = payload.ver;
    if (!Number.isSafeInteger(userId) || userId <= 0 || typeof tokenVersion !== 'number') return null;
    return { userId, tokenVersion, issuedAt: typeof payload.iat === 'number' ? payload.iat : 0 };
  } catch (err) {
    if (err instanceof errors.JOSEError || err instanceof TypeError) return null;
    throw err;
  }
}
