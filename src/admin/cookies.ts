import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const ADMIN_COOKIE = 'admin_session';
/** The main app's OAuth "continue" may set this; the legacy admin app reused it to sign in. */
export const MAIN_SESSION_COOKIE = 'qc_session';

export function readCookie(req: FastifyRequest, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  return parseCookie(header)[name] ?? null;
}

/**
 * HttpOnly so page scripts cannot read it; SameSite=Strict so no other site can make the browser
 * send it (the admin API changes data with it); Secure whenever the server is served over https.
 */
export function setAdminCookie(reply: FastifyReply, token: string, maxAgeSeconds: number, secure: boolean): void {
  reply.header(
    'set-cookie',
    stringifySetCookie({ name: ADMIN_COOKIE, value: token, httpOnly: true, sameSite: 'strict', path: '/', maxAge: maxAgeSeconds, secure }),
  );
}

export function clearAdminCookie(reply: FastifyReply, secure: boolean): void {
  reply.header(
    'set-cookie',
    stringifySetCookie({ name: ADMIN_COOKIE, value: '', httpOnly: true, sameSite: 'strict', path: '/', maxAge: 0, secure }),
  );
}
