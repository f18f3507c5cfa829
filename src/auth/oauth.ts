import { createHmac, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { AppContext } from '../context.ts';
import { badRequest, HttpError } from '../errors.ts';

/**
 * The OAuth 2.0 authorization-code flow, hand-written for two providers that both speak OpenID
 * Connect userinfo. Every URL comes from config, so tests run it against a local stub provider.
 */
export type OAuthProvider = 'google' | 'linkedin';

export interface ProviderProfile {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  givenName: string;
  familyName: string;
}

const LABEL: Record<OAuthProvider, string> = { google: 'Google', linkedin: 'LinkedIn' };
const SCOPE: Record<OAuthProvider, string> = { google: 'openid email profile', linkedin: 'openid profile email' };
const ENV_PREFIX: Record<OAuthProvider, string> = { google: 'GOOGLE', linkedin: 'LINKEDIN' };
const STATE_TTL_SECONDS = 10 * 60;
const HTTP_TIMEOUT_MS = 10_000;

export function providerConfig(ctx: AppContext, provider: OAuthProvider) {
  const c = ctx.config.oauth[provider];
  if (!c.clientId || !c.clientSecret) {
    const p = ENV_PREFIX[provider];
    throw new HttpError(
      503,
      'oauth_not_configured',
      `${LABEL[provider]} sign-in is not set up on this server (${p}_CLIENT_ID and ${p}_CLIENT_SECRET). Sign in with an e-mail link instead.`,
    );
  }
  return { ...c, clientId: c.clientId, clientSecret: c.clientSecret };
}

/** The redirect URI must lead back to our own client (or server): never to a third party. */
export function checkRedirectUri(ctx: AppContext, given: string | undefined): string {
  if (!given) return ctx.config.oauth.redirectUri;
  let origin: string;
  try {
    const u = new URL(given);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
    origin = u.origin;
  } catch {
    throw badRequest('redirect_uri must be an absolute http(s) URL.', 'invalid_redirect_uri');
  }
  const allowed = [ctx.config.oauth.redirectUri, ctx.config.clientOrigin, ctx.config.publicUrl].map((x) => new URL(x).origin);
  if (!allowed.includes(origin)) {
    throw badRequest(`redirect_uri must be on ${allowed[1]} (CLIENT_ORIGIN).`, 'invalid_redirect_uri');
  }
  return given;
}

const stateKey = (secret: string) => createHmac('sha256', secret).update('quickchat:oauth-state').digest();

export const newNonce = () => randomBytes(16).toString('base64url');

/** A signed, short-lived state: which provider, which redirect URI, and the browser-bound nonce. */
export async function signState(secret: string, s: { provider: OAuthProvider; redirectUri: string; nonce: string }, now: Date) {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ prv: s.provider, rdr: s.redirectUri, non: s.nonce })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience('quickchat-oauth-state')
    .setIssuedAt(iat)
    .setExpirationTime(iat + STATE_TTL_SECONDS)
    .sign(stateKey(secret));
}

export async function verifyState(secret: string, state: string, now: Date) {
  try {
    const { payload } = await jwtVerify(state, stateKey(secret), {
      audience: 'quickchat-oauth-state',
      algorithms: ['HS256'],
      currentDate: now,
    });
    const { prv, rdr, non } = payload as { prv?: unknown; rdr?: unknown; non?: unknown };
    if ((prv !== 'google' && prv !== 'linkedin') || typeof rdr !== 'string' || typeof non !== 'string') return null;
    return { provider: prv as OAuthProvider, redirectUri: rdr, nonce: non };
  } catch (err) {
    if (err instanceof errors.JOSEError || err instanceof TypeError) return null;
    throw err;
  }
}

export function authorizationUrl(
  provider: OAuthProvider,
  c: { authorizeUrl: string; clientId: string },
  p: { redirectUri: string; state: string },
): string {
  const u = new URL(c.authorizeUrl);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', c.clientId);
  u.searchParams.set('redirect_uri', p.redirectUri);
  u.searchParams.set('scope', SCOPE[provider]);
  u.searchParams.set('state', p.state);
  if (provider === 'google') u.searchParams.set('prompt', 'select_account');
  return u.toString();
}

async function call(provider: OAuthProvider, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), redirect: 'error' });
  } catch {
    throw new HttpError(502, 'oauth_provider_unavailable', `${LABEL[provider]} could not be reached. Try signing in again in a moment.`);
  }
}

/** Trades the one-time code for an access token (client secret sent in the form body). */
export async function exchangeCode(
  provider: OAuthProvider,
  c: { tokenUrl: string; clientId: string; clientSecret: string },
  p: { code: string; redirectUri: string },
): Promise<string> {
  const res = await call(provider, c.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: p.code,
      redirect_uri: p.redirectUri,
      client_id: c.clientId,
      client_secret: c.clientSecret,
    }),
  });
  if (res.status >= 400 && res.status < 500) {
    throw badRequest(
      `${LABEL[provider]} did not accept the sign-in code (used or expired): start the sign-in again.`,
      'oauth_code_rejected',
    );
  }
  const body = (await res.json().catch(() => null)) as { access_token?: unknown } | null;
  if (!res.ok || typeof body?.access_token !== 'string') {
    throw new HttpError(502, 'oauth_provider_error', `${LABEL[provider]} answered the sign-in unexpectedly. Try again in a moment.`);
  }
  return body.access_token;
}

/** OpenID Connect userinfo: the same claims on Google and LinkedIn. */
export async function fetchProfile(provider: OAuthProvider, c: { userinfoUrl: string }, accessToken: string): Promise<ProviderProfile> {
  const res = await call(provider, c.userinfoUrl, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (!res.ok || !body || typeof body.sub !== 'string' || !body.sub) {
    throw new HttpError(502, 'oauth_provider_error', `${LABEL[provider]} did not return your profile. Try again in a moment.`);
  }
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const given = str(body.given_name);
  const family = str(body.family_name);
  return {
    sub: body.sub,
    email: str(body.email).toLowerCase(),
    emailVerified: body.email_verified === true || body.email_verified === 'true',
    name: str(body.name) || `${given} ${family}`.trim(),
    givenName: given,
    familyName: family,
  };
}

export const providerLabel = (p: OAuthProvider) => LABEL[p];
