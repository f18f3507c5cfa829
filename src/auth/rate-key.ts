import type { IncomingHttpHeaders } from 'node:http';
import type { AppContext } from '../context.ts';
import { bearerToken } from '../http/bearer.ts';
import { verifySession } from './jwt.ts';

/**
 * Key for routes that need a session: the signed-in user (so that changing networks does not reset
 * the count), else the client IP. Only a token that verifies names a user; anything else counts per IP.
 */
export function sessionOrIpKey(ctx: AppContext) {
  return async (req: { headers: IncomingHttpHeaders; ip: string }): Promise<string> => {
    const token = bearerToken(req);
    const claims = token ? await verifySession(ctx.config.jwtSecret, token, ctx.now()) : null;
    return claims ? `user:${claims.userId}` : `ip:${req.ip}`;
  };
}
