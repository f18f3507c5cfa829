import type { Kysely } from 'kysely';
import type { AppContext } from '../context.ts';
import { toJson } from '../db/json.ts';
import type { DB } from '../db/schema.ts';
import { badRequest, forbidden } from '../errors.ts';
import {
  authorizationUrl,
  checkRedirectUri,
  exchangeCode,
  fetchProfile,
  newNonce,
  type OAuthProvider,
  type ProviderProfile,
  providerConfig,
  providerLabel,
  signState,
  verifyState,
} from './oauth.ts';
import { findUserByEmail, findUserByGoogleSub, findUserByLinkedinId, insertUserIfAbsent, updateUser } from './queries.ts';
import { issueSession, queueWelcomeEmail, type UserRow } from './service.ts';

/** Builds the provider's authorize URL and the nonce the caller must set as a cookie. */
export async function startOAuth(ctx: AppContext, provider: OAuthProvider, redirectUriParam: string | undefined) {
  const c = providerConfig(ctx, provider);
  const redirectUri = checkRedirectUri(ctx, redirectUriParam);
  const nonce = newNonce();
  const state = await signState(ctx.config.jwtSecret, { provider, redirectUri, nonce }, ctx.now());
  return { authUrl: authorizationUrl(provider, c, { redirectUri, state }), nonce };
}

export interface OAuthResult {
  token: string;
  user: UserRow;
  firstTime: boolean;
  profile: ProviderProfile;
}

/** Checks the state, trades the code, reads the profile and signs the user in (creating the account on first use). */
export async function completeOAuth(
  ctx: AppContext,
  provider: OAuthProvider,
  input: { code: string; state: string | undefined; nonceCookie: string | undefined; redirectUri?: string | undefined },
): Promise<OAuthResult> {
  const c = providerConfig(ctx, provider);
  if (!input.state) throw badRequest('The sign-in state is missing: start the sign-in again.', 'oauth_state_missing');
  const state = await verifyState(ctx.config.jwtSecret, input.state, ctx.now());
  if (!state || state.provider !== provider) {
    throw badRequest('The sign-in state is invalid or expired: start the sign-in again.', 'oauth_state_invalid');
  }
  if (!input.nonceCookie || input.nonceCookie !== state.nonce) {
    throw badRequest('This sign-in was started in another browser or tab: start it again here.', 'oauth_state_mismatch');
  }
  if (input.redirectUri && input.redirectUri !== state.redirectUri) {
    throw badRequest('redirect_uri differs from the one the sign-in started with.', 'invalid_redirect_uri');
  }
  const accessToken = await exchangeCode(provider, c, { code: input.code, redirectUri: state.redirectUri });
  const profile = await fetchProfile(provider, c, accessToken);
  const { user, firstTime } = await ctx.db.transaction().execute((trx) => upsertOAuthUser(ctx, trx, provider, profile));
  return { token: await issueSession(ctx, user), user, firstTime, profile };
}

function identity(provider: OAuthProvider, p: { sub: string | null; name: string; email: string }) {
  const json = toJson({ id: p.sub, name: p.name, email: p.email });
  return provider === 'google' ? { google_sub: p.sub, google_oauth: json } : { linkedin_oauth: json };
}

/**
 * Finds the account by provider id, then by e-mail (linking the provider to it), else creates it.
 * An unverified provider e-mail never links to or creates an account: it could belong to someone else.
 */
export async function upsertOAuthUser(
  ctx: AppContext,
  trx: Kysely<DB>,
  provider: OAuthProvider,
  p: { sub: string | null; email: string; emailVerified: boolean; name: string; givenName: string; familyName: string },
): Promise<{ user: UserRow; firstTime: boolean }> {
  const now = ctx.now();
  if (p.sub) {
    const byId = provider === 'google' ? await findUserByGoogleSub(trx, p.sub) : await findUserByLinkedinId(trx, p.sub);
    if (byId)
      return {
        user: await updateUser(trx, byId.id, { last_login_at: now, ...identity(provider, { ...p, email: byId.email }) }),
        firstTime: false,
      };
  }
  if (!p.email)
    throw forbidden(
      `${providerLabel(provider)} did not share your e-mail address: allow it, or sign in with an e-mail link.`,
      'oauth_email_missing',
    );
  if (!p.emailVerified) {
    throw forbidden(
      `Your ${providerLabel(provider)} e-mail address is not verified: verify it there, or sign in with an e-mail link.`,
      'oauth_email_unverified',
    );
  }
  const link = async (id: number) => updateUser(trx, id, { last_login_at: now, ...identity(provider, p) });
  const byEmail = await findUserByEmail(trx, p.email);
  if (byEmail) return { user: await link(byEmail.id), firstTime: false };
  const created = await insertUserIfAbsent(trx, {
    email: p.email,
    name: p.name,
    fname: p.givenName || null,
    lname: p.familyName || null,
    auth_provider: provider,
    auth_provider_id: p.sub ?? p.email,
    ...identity(provider, p),
    created_at: now,
    last_login_at: now,
  });
  if (!created) {
    // A concurrent first sign-in with the same e-mail won the insert: link to that account.
    const winner = await findUserByEmail(trx, p.email);
    if (!winner) throw new Error(`user ${p.email} vanished during OAuth sign-in`);
    return { user: await link(winner.id), firstTime: false };
  }
  await queueWelcomeEmail(ctx, trx, created);
  return { user: created, firstTime: true };
}
