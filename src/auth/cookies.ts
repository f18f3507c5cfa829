import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_TTL_SECONDS } from './jwt.ts';

/** Binds an OAuth state to the browser that started the flow (login-CSRF protection). */
export const OAUTH_STATE_COOKIE = 'qc_oauth_state';
/** The session for the admin app, as the legacy OAuth "continue" set it: HttpOnly, Secure, SameSite=None. */
const SESSION_COOKIE = 'qc_session';

export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookie(header)[name] : undefined;
}

/** Fastify accumulates set-cookie values: each call adds one cookie. */
function append(reply: FastifyReply, cookie: string): void {
  reply.header('set-cookie', cookie);
}

export function setOAuthStateCookie(reply: FastifyReply, nonce: string, secure: boolean): void {
  append(
    reply,
    stringifySetCookie({ name: OAUTH_STATE_COOKIE, value: nonce, httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: 600 }),
  );
}

export function clearOAuthStateCookie(reply: FastifyReply, secure: boolean): void {
  append(reply, stringifySetCookie({ name: OAUTH_STATE_COOKIE, value: '', httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: 0 }));
}

/**
 * The cookie lives exactly as long as the token inside (legacy: 30 days for a 24-hour token, so the
 * browser kept sending a dead credential); the token also dies with logout (token version).
 */
export function setSessionCookie(reply: FastifyReply, token: string): void {
  append(
    reply,
    stringifySetCookie({
      name: SESSION_COOKIE,
      value: token,
      httpOnly: true,
      secure: true,
      sameSite: 'none',
      path: '/',
      maxAge: SESSION_TTL_SECONDS,
    }),
  );
}

export function clearSessionCookie(reply: FastifyReply): void {
  append(
    reply,
    stringifySetCookie({ name: SESSION_COOKIE, value: '', httpOnly: true, secure: true, sameSite: 'none', path: '/', maxAge: 0 }),
  );
}
