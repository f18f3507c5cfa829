import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { unauthorized } from '../errors.ts';
import { bearerToken } from '../http/bearer.ts';
import { verifySession } from './jwt.ts';

/** The signed-in caller, as every authenticated route sees it. */
export interface AuthUser {
  id: number;
  email: string;
  name: string;
  tokenVersion: number;
}

/**
 * The caller behind the request's Bearer token, or null when there is no Authorization header.
 * A token that is present but invalid, expired, revoked (token_version bumped) or belongs to a
 * deleted account is a 401 — the legacy client logs out on 401, so only such tokens get one.
 */
export async function optionalUser(ctx: AppContext, req: FastifyRequest): Promise<AuthUser | null> {
  const token = bearerToken(req);
  if (token === null) return null;
  if (!token) throw unauthorized('The Authorization header must be "Bearer <token>".', 'invalid_token');
  const claims = await verifySession(ctx.config.jwtSecret, token, ctx.now());
  if (!claims) throw unauthorized('Your session is invalid or has expired: sign in again.', 'invalid_token');
  const user = await ctx.db
    .selectFrom('user')
    .select(['id', 'email', 'name', 'token_version'])
    .where('id', '=', claims.userId)
    .executeTakeFirst();
  if (!user || user.token_version !== claims.tokenVersion) {
    throw unauthorized('Your session was ended: sign in again.', 'session_revoked');
  }
  return { id: user.id, email: user.email, name: user.name, tokenVersion: user.token_version };
}

export async function requireUser(ctx: AppContext, req: FastifyRequest): Promise<AuthUser> {
  const user = await optionalUser(ctx, req);
  if (!user) throw unauthorized('Sign in first: this route needs an Authorization: Bearer <token> header.', 'missing_token');
  return user;
}

/** OpenAPI security marker for routes that need a session. */
export const bearerSecurity = [{ bearer: [] }];
