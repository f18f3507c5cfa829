import { timingSafeEqual } from 'node:crypto';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { HttpError, unauthorized } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses } from '../http/schemas.ts';
import { clearOAuthStateCookie, OAUTH_STATE_COOKIE, readCookie, setOAuthStateCookie, setSessionCookie } from './cookies.ts';
import type { OAuthProvider } from './oauth.ts';
import { completeOAuth, startOAuth, upsertOAuthUser } from './oauth-service.ts';
import { normaliseEmail } from './secrets.ts';
import { issueSession } from './service.ts';

const InitQuery = Type.Object({ redirect_uri: Type.Optional(Type.String({ maxLength: 2000 })) });
const ContinueQuery = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 2000 }),
  state: Type.Optional(Type.String({ maxLength: 4000 })),
  redirect_uri: Type.Optional(Type.String({ maxLength: 2000 })),
});
const InitReply = Type.Object({ authUrl: Type.String() });
const GoogleReply = Type.Object({ token: Type.String(), name: Type.String(), email: Type.String(), first_time: Type.Boolean() });
const LinkedinReply = Type.Object({
  token: Type.String(),
  email: Type.String(),
  name: Type.String(),
  firstName: Type.String(),
  lastName: Type.String(),
  first_time: Type.Boolean(),
});
// The body the legacy Vercel function posted after reading LinkedIn's userinfo; field names vary, so extra fields are allowed.
const CreateUserBody = Type.Object({
  x_api_key: Type.String({ maxLength: 500 }),
  email: Type.String({ maxLength: 320 }),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  given_name: Type.Optional(Type.String({ maxLength: 100 })),
  family_name: Type.Optional(Type.String({ maxLength: 100 })),
  sub: Type.Optional(Type.String({ maxLength: 200 })),
  linkedin_id: Type.Optional(Type.String({ maxLength: 200 })),
});

const INIT_LIMIT = { max: 60, timeWindow: 10 * 60 * 1000 };
const CONTINUE_LIMIT = { max: 30, timeWindow: 10 * 60 * 1000 };

export function oauthRoutes(app: App, ctx: AppContext): void {
  const secureState = ctx.config.publicUrl.startsWith('https:');

  for (const provider of ['google', 'linkedin'] as const) {
    const init = async (req: FastifyRequest<{ Querystring: { redirect_uri?: string } }>, reply: FastifyReply) => {
      const { authUrl, nonce } = await startOAuth(ctx, provider, req.query.redirect_uri);
      setOAuthStateCookie(reply, nonce, secureState);
      return { authUrl };
    };
    const continueFlow = async (
      req: FastifyRequest<{ Querystring: { code: string; state?: string; redirect_uri?: string } }>,
      reply: FastifyReply,
    ) => {
      const r = await completeOAuth(ctx, provider, {
        code: req.query.code,
        state: req.query.state,
        nonceCookie: readCookie(req, OAUTH_STATE_COOKIE),
        redirectUri: req.query.redirect_uri,
      });
      clearOAuthStateCookie(reply, secureState);
      setSessionCookie(reply, r.token);
      const base = { token: r.token, name: r.user.name, email: r.user.email, first_time: r.firstTime };
      if (provider === 'google') return base;
      return { ...base, firstName: r.user.fname ?? r.profile.givenName, lastName: r.user.lname ?? r.profile.familyName };
    };
    const label = provider === 'google' ? 'Google' : 'LinkedIn';
    const initSchema = {
      tags: ['auth'],
      summary: `${label} sign-in: the authorize URL to send the browser to (sets the state cookie)`,
      querystring: InitQuery,
      response: { 200: InitReply, ...errorResponses(400, 429, 503) },
    };
    const continueSchema = {
      tags: ['auth'],
      summary: `${label} sign-in: trade the code for a session (checks state; sets qc_session)`,
      querystring: ContinueQuery,
      response: { 200: provider === 'google' ? GoogleReply : LinkedinReply, ...errorResponses(400, 403, 429, 502, 503) },
    };
    for (const prefix of ['/api/oauth', '/oauth']) {
      const hide = prefix === '/oauth';
      app.get(`${prefix}/${provider}/init`, { schema: { ...initSchema, hide }, config: { rateLimit: INIT_LIMIT } }, init);
      app.get(
        `${prefix}/${provider}/continue`,
        { schema: { ...continueSchema, hide }, config: { rateLimit: CONTINUE_LIMIT } },
        continueFlow,
      );
    }
  }

  app.post(
    '/auth/linkedin/create_user',
    {
      schema: {
        tags: ['auth'],
        summary: 'Internal (x_api_key): sign in a LinkedIn user whose profile the caller already verified',
        body: CreateUserBody,
        response: { 200: LinkedinReply, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const expected = ctx.config.internalApiKey;
      if (!expected) throw new HttpError(404, 'internal_api_disabled', 'This internal endpoint is off: set INTERNAL_API_KEY to use it.');
      const given = Buffer.from(req.body.x_api_key);
      const want = Buffer.from(expected);
      if (given.length !== want.length || !timingSafeEqual(given, want)) throw unauthorized('x_api_key is wrong.', 'invalid_api_key');
      const email = normaliseEmail(req.body.email);
      if (!email) throw new HttpError(400, 'invalid_email', 'email must be a valid e-mail address.');
      const givenName = req.body.given_name?.trim() ?? '';
      const familyName = req.body.family_name?.trim() ?? '';
      const { user, firstTime } = await ctx.db.transaction().execute((trx) =>
        upsertOAuthUser(ctx, trx, 'linkedin' satisfies OAuthProvider, {
          sub: req.body.linkedin_id ?? req.body.sub ?? null,
          email,
          emailVerified: true,
          name: req.body.name?.trim() || `${givenName} ${familyName}`.trim(),
          givenName,
          familyName,
        }),
      );
      const token = await issueSession(ctx, user);
      return {
        token,
        email: user.email,
        name: user.name,
        firstName: user.fname ?? givenName,
        lastName: user.lname ?? familyName,
        first_time: firstTime,
      };
    },
  );
}
