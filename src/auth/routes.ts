import { Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses } from '../http/schemas.ts';
import { clearSessionCookie } from './cookies.ts';
import { bearerSecurity, requireUser } from './guard.ts';
import { sendMagicLink, verifyMagicCode, verifyMagicToken } from './magic-link.ts';
import { oauthRoutes } from './oauth-routes.ts';
import { SelfUser, toSelfUser } from './schemas.ts';
import { currentUser, logout } from './service.ts';

const SendBody = Type.Object({ email: Type.String({ maxLength: 320 }) }, { additionalProperties: false });
// The legacy Xano endpoint took the IP in the body; it is accepted and ignored (the socket's IP counts).
const InitiateBody = Type.Object(
  { email: Type.String({ maxLength: 320 }), ip_address: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
);
const VerifyBody = Type.Object(
  {
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    code: Type.Optional(Type.String({ maxLength: 12 })),
  },
  { additionalProperties: false },
);
const SendReply = Type.Object({ success: Type.Boolean(), message: Type.String(), expires_in_seconds: Type.Integer() });
const VerifyReply = Type.Object({ token: Type.String(), email: Type.String(), name: Type.String(), is_new_user: Type.Boolean() });

const SENT_MESSAGE = 'If this address can receive e-mail, a sign-in link and code are on their way. They expire in 15 minutes.';
/** Code and token guessing per client IP, on top of the per-token attempt limit. */
const VERIFY_RATE_LIMIT = { max: 30, timeWindow: 15 * 60 * 1000 };

export function authRoutes(app: App, ctx: AppContext): void {
  const sendSchema = {
    tags: ['auth'],
    summary: 'E-mail a sign-in link and code (same answer whether or not an account exists)',
    body: SendBody,
    response: { 200: SendReply, ...errorResponses(400, 429) },
  };
  const send = async (req: { body: { email: string }; ip: string }) => {
    const { expiresInSeconds } = await sendMagicLink(ctx, { email: req.body.email, ip: req.ip });
    return { success: true, message: SENT_MESSAGE, expires_in_seconds: expiresInSeconds };
  };
  app.post('/api/auth/magic-link/send', { schema: sendSchema }, send);
  app.post('/auth/magic-link/initiate', { schema: { ...sendSchema, body: InitiateBody } }, send);

  const verifySchema = {
    tags: ['auth'],
    summary: 'Sign in with the e-mailed token, or with the e-mail address and 6-digit code',
    body: VerifyBody,
    response: { 200: VerifyReply, ...errorResponses(400, 404, 410, 429) },
  };
  const verify = async (req: { body: { token?: string; email?: string; code?: string }; ip: string }) => {
    const { token, email, code } = req.body;
    let signedIn: Awaited<ReturnType<typeof verifyMagicToken>>;
    if (token) signedIn = await verifyMagicToken(ctx, token);
    else if (email !== undefined && code !== undefined) {
      if (!/^\d{6}$/.test(code.trim())) throw badRequest('The code is the 6 digits from the sign-in e-mail.', 'invalid_code');
      signedIn = await verifyMagicCode(ctx, { email, code: code.trim(), ip: req.ip });
    } else throw badRequest('Send {"token"} from the e-mailed link, or {"email", "code"} with the 6-digit code.', 'token_or_code_required');
    return { token: signedIn.token, email: signedIn.user.email, name: signedIn.user.name, is_new_user: signedIn.isNewUser };
  };
  const verifyOpts = { schema: verifySchema, config: { rateLimit: VERIFY_RATE_LIMIT } };
  app.post('/api/auth/magic-link/verify', verifyOpts, verify);
  app.post('/auth/magic-link/verify', verifyOpts, verify);

  app.get(
    '/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        security: bearerSecurity,
        response: { 200: SelfUser, ...errorResponses(401, 404) },
      },
    },
    async (req) => toSelfUser(await currentUser(ctx, (await requireUser(ctx, req)).id)),
  );

  const logoutSchema = {
    tags: ['auth'],
    summary: 'Sign out everywhere: every session token of the account stops working',
    security: bearerSecurity,
    response: { 200: Type.Object({ success: Type.Boolean() }), ...errorResponses(401) },
  };
  const doLogout = async (req: Parameters<typeof requireUser>[1], reply: Parameters<typeof clearSessionCookie>[0]) => {
    const user = await requireUser(ctx, req);
    await logout(ctx, user.id);
    clearSessionCookie(reply);
    return { success: true };
  };
  app.post('/auth/logout', { schema: logoutSchema }, doLogout);
  app.post('/api/auth/logout', { schema: { ...logoutSchema, hide: true } }, doLogout);

  oauthRoutes(app, ctx);
}
