import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

/**
 * The admin session: a short-lived JWT with its own audience, so a main-app session token is never
 * accepted as an admin session (nor the reverse). It carries the admin row's token_version and the
 * user's token_version: bumping either (admin logout or disable, user logout or erasure) revokes it.
 */
export interface AdminSessionClaims {
  adminId: number;
  userId: number;
  adminVersion: number;
  userVersion: number;
}

const ISSUER = 'quickchat';
const AUDIENCE = 'quickchat-admin';
const encoder = new TextEncoder();

export async function signAdminSession(secret: string, claims: AdminSessionClaims, now: Date, ttlSeconds: number): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ uid: claims.userId, ver: claims.adminVersion, uver: claims.userVersion })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(claims.adminId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(encoder.encode(secret));
}

/** The claims, or null for a token that is malformed, forged, expired or not an admin session. */
export async function verifyAdminSession(secret: string, token: string, now: Date): Promise<AdminSessionClaims | null> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      currentDate: now,
    });
    const adminId = Number(payload.sub);
    const { uid, ver, uver } = payload;
    if (!Number.isSafeInteger(adminId) || adminId <= 0) return null;
    if (typeof uid !== 'number' || typeof ver !== 'number' || typeof uver !== 'number') return null;
    return { adminId, userId: uid, adminVersion: ver, userVersion: uver };
  } catch (err) {
    if (err instanceof errors.JOSEError || err instanceof TypeError) return null;
    throw err;
  }
}
