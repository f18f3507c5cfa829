import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { bearerToken } from '../http/bearer.ts';
import { ErrorBody } from '../http/schemas.ts';
import { clearAdminCookie, MAIN_SESSION_COOKIE, readCookie, setAdminCookie } from './cookies.ts';
import { requireAdmin, SUPER_ADMIN } from './guard.ts';
import { logoutAdmin, readAuditLog, verifyAdminLogin } from './service.ts';

const Role = Type.Union([Type.Literal('super_admin'), Type.Literal('support_admin')]);
const Admin = Type.Object({ id: Type.Integer(), user_id: Type.Integer(), email: Type.String(), name: Type.String(), role: Role });
const Errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody };

const VerifyResponse = Type.Object({ success: Type.Boolean(), token: Type.String(), expires_at: Type.Number(), admin: Admin });
const AuditEntry = Type.Object({
  id: Type.Integer(),
  admin_user_id: Type.Union([Type.Integer(), Type.Null()]),
  actor: Type.String(),
  action: Type.String(),
  target_type: Type.Union([Type.String(), Type.Null()]),
  target_id: Type.Union([Type.String(), Type.Null()]),
  details: Type.Unknown(),
  request_id: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.Number(),
});

/** The main-app session token, from the header, the body or the cookie the OAuth flow sets. */
function mainToken(req: FastifyRequest, body: { token?: string } | undefined): string | null {
  return bearerToken(req) || body?.token || readCookie(req, MAIN_SESSION_COOKIE) || null;
}

export function adminRoutes(app: App, ctx: AppContext): void {
  const secureCookie = ctx.config.publicUrl.startsWith('https:');

  app.post(
    '/api/auth/verify',
    {
      schema: {
        tags: ['admin'],
        summary: 'Exchange a main-app session of an enabled admin for a 15-minute admin session (cookie admin_session and body)',
        body: Type.Object({ token: Type.Optional(Type.String({ maxLength: 4096 })) }, { additionalProperties: false }),
        response: { 200: VerifyResponse, ...Errors },
      },
      config: { rateLimit: { max: 30, timeWindow: 60_000 } },
      // The token usually comes in a header or cookie, with no body at all.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      const login = await verifyAdminLogin(ctx, mainToken(req, req.body), String(req.id));
      setAdminCookie(reply, login.token, login.ttlSeconds, secureCookie);
      const a = login.admin;
      return {
        success: true,
        token: login.token,
        expires_at: login.expiresAt.getTime(),
        admin: { id: a.id, user_id: a.user_id, email: a.email, name: a.name, role: a.role },
      };
    },
  );

  app.get(
    '/api/admin/me',
    { schema: { tags: ['admin'], summary: 'The signed-in admin', response: { 200: Type.Object({ admin: Admin }), ...Errors } } },
    async (req) => {
      const c = await requireAdmin(ctx, req);
      return { admin: { id: c.adminId, user_id: c.userId, email: c.email, name: c.name, role: c.role } };
    },
  );

  app.post(
    '/api/admin/logout',
    {
      schema: {
        tags: ['admin'],
        summary: 'End every admin session of the caller',
        response: { 200: Type.Object({ success: Type.Boolean() }), ...Errors },
      },
    },
    async (req, reply) => {
      const caller = await requireAdmin(ctx, req);
      await logoutAdmin(ctx, caller);
      clearAdminCookie(reply, secureCookie);
      return { success: true };
    },
  );

  app.get(
    '/api/admin/audit-log',
    {
      schema: {
        tags: ['admin'],
        summary: 'Admin audit log, newest first (super_admin)',
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
            before_id: Type.Optional(Type.Integer({ minimum: 1 })),
            action: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ entries: Type.Array(AuditEntry) }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req, SUPER_ADMIN);
      const rows = await readAuditLog(ctx, caller, {
        limit: req.query.limit ?? 100,
        beforeId: req.query.before_id,
        action: req.query.action,
      });
      return { entries: rows.map((r) => ({ ...r, created_at: r.created_at.getTime() })) };
    },
  );
}
