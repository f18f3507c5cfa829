import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ADMIN_COOKIE, clearAdminCookie, MAIN_SESSION_COOKIE, readCookie, setAdminCookie } from '../admin/cookies.ts';
import { type AdminCaller, requireAdmin } from '../admin/guard.ts';
import { verifyAdminLogin } from '../admin/service.ts';
import type { AppContext } from '../context.ts';
import { HttpError, unauthorized } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { bearerToken } from '../http/bearer.ts';
import { Errors, Id, Ok, ok } from './kit.ts';
import { endConsoleSessions } from './team-service.ts';

const Role = Type.Union([Type.Literal('super_admin'), Type.Literal('support_admin')]);
const Me = Ok({ ok: Type.Boolean(), admin_id: Id, xano_user_id: Id, role: Role, email: Type.String(), name: Type.String() });

type Source = 'header' | 'body' | 'cookie';
/** The main-app session, where the console's browser or a pasted token puts it. */
function mainToken(req: FastifyRequest, body: { token?: string | undefined } | undefined): { token: string; source: Source } | null {
  const bearer = bearerToken(req);
  if (bearer) return { token: bearer, source: 'header' };
  // The console's manual login strips quotes and spaces; a pasted token may still carry them.
  const pasted = body?.token?.trim().replace(/^["']|["']$/g, '');
  if (pasted) return { token: pasted, source: 'body' };
  const cookie = readCookie(req, MAIN_SESSION_COOKIE);
  return cookie ? { token: cookie, source: 'cookie' } : null;
}

const me = (c: Pick<AdminCaller, 'adminId' | 'userId' | 'role' | 'email' | 'name'>) => ({
  ok: true,
  admin_id: String(c.adminId),
  xano_user_id: String(c.userId),
  role: c.role,
  email: c.email,
  name: c.name,
});

export function consoleAuthRoutes(app: App, ctx: AppContext): void {
  const secure = ctx.config.adminConsole.origins[0]?.startsWith('https:') ?? false;
  const login = async (req: FastifyRequest, reply: Parameters<typeof setAdminCookie>[0], given: ReturnType<typeof mainToken>) => {
    const result = await verifyAdminLogin(ctx, given?.token ?? null, String(req.id));
    setAdminCookie(reply, result.token, result.ttlSeconds, secure);
    const a = result.admin;
    return { adminId: a.id, userId: a.user_id, role: a.role, email: a.email, name: a.name };
  };
  const limit = { rateLimit: { max: 30, timeWindow: 60_000 } };

  app.get(
    '/api/me',
    {
      schema: {
        summary: 'The signed-in admin; opens an admin session from the main-app session when there is none',
        response: { 200: Me, ...Errors },
      },
      config: limit,
    },
    async (req, reply) => {
      if (readCookie(req, ADMIN_COOKIE)) return ok(ctx.now(), me(await requireAdmin(ctx, req)));
      const given = mainToken(req, undefined);
      if (!given) throw unauthorized('Sign in to the main app first, then reload the console.', 'admin_session_required');
      return ok(ctx.now(), me(await login(req, reply, given)));
    },
  );

  app.post(
    '/api/auth/verify',
    {
      schema: {
        summary: 'Open an admin session (cookie) from a main-app session: Bearer, {token} or the qc_session cookie',
        body: Type.Object({ token: Type.Optional(Type.String({ maxLength: 4096 })) }, { additionalProperties: false }),
        response: { 200: Ok({ role: Role, email: Type.String(), name: Type.String(), tokenSource: Type.String() }), ...Errors },
      },
      config: limit,
      // The auto-login posts no body at all (the qc_session cookie carries the token).
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      const given = mainToken(req, req.body);
      const a = await login(req, reply, given);
      return ok(ctx.now(), { role: a.role, email: a.email, name: a.name, tokenSource: given?.source ?? 'none' });
    },
  );

  // Not called by the console; kept for links into it. Only the console's own pages may be the
  // return target (the legacy route forwarded any URL: an open redirect).
  app.get(
    '/api/auth/refresh-from-main',
    {
      schema: {
        summary: 'Send the browser to the main app to renew its session, then back to a console page',
        querystring: Type.Object({ return: Type.Optional(Type.String({ maxLength: 2000 })) }),
      },
    },
    async (req, reply) => {
      const origins = ctx.config.adminConsole.origins;
      const target = (() => {
        try {
          const u = new URL(req.query.return ?? '');
          return origins.includes(u.origin) ? u.href : null;
        } catch {
          return null;
        }
      })();
      const back = target ?? `${origins[0]}/dashboard`;
      return reply.redirect(`${ctx.config.clientOrigin}/auth/revalidate?return=${encodeURIComponent(back)}`, 307);
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        summary: 'End the admin session (and keep it ended until the next main-app sign-in)',
        response: { 200: Ok({ ok: Type.Boolean(), cleared: Type.Boolean() }), ...Errors },
      },
    },
    async (req, reply) => {
      const caller = await requireAdmin(ctx, req).catch((err) => {
        if (err instanceof HttpError && err.status < 500) return null;
        throw err;
      });
      if (caller) await endConsoleSessions(ctx, caller);
      clearAdminCookie(reply, secure);
      return ok(ctx.now(), { ok: true, cleared: true });
    },
  );
}
