import { Type } from '@fastify/type-provider-typebox';
import { ALL_ADMINS, requireAdmin, SUPER_ADMIN } from '../admin/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { NullableUnion as Nullable } from '../http/schemas.ts';
import { Errors, Id, IdParam, Iso, iso, Ok, ok } from './kit.ts';
import { addTeamMember, removeTeamMember, revokeAllSessions, teamMembers } from './team-service.ts';

const Member = Type.Object({
  id: Id,
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  disabled: Type.Boolean(),
  created_at: Iso,
  last_activity: Nullable(Iso),
  xano_user_id: Id,
});

export function consoleTeamRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/team',
    { schema: { summary: 'The enabled admins', response: { 200: Ok({ admins: Type.Array(Member) }), ...Errors } } },
    async (req) => {
      await requireAdmin(ctx, req, ALL_ADMINS);
      const rows = await teamMembers(ctx);
      const admins = rows.map((r) => ({
        id: String(r.id),
        email: r.email,
        name: r.name,
        role: r.role,
        disabled: r.disabled,
        created_at: r.created_at.toISOString(),
        last_activity: iso(r.last_activity ? new Date(r.last_activity) : null),
        xano_user_id: String(r.user_id),
      }));
      return ok(ctx.now(), { admins });
    },
  );

  app.post(
    '/api/team',
    {
      schema: {
        summary: 'Add an admin (super_admin); support_admin unless a role is given',
        body: Type.Object({
          email: Type.String({ maxLength: 254 }),
          name: Type.Optional(Type.String({ maxLength: 200 })),
          xano_user_id: Type.Optional(Nullable(Type.Union([Type.String({ maxLength: 40 }), Type.Integer()]))),
          role: Type.Optional(Type.String({ maxLength: 40 })),
        }),
        response: {
          201: Ok({
            admin: Type.Object({
              id: Id,
              email: Type.String(),
              name: Type.String(),
              role: Type.String(),
              xano_user_id: Id,
              created_at: Iso,
            }),
            message: Type.String(),
          }),
          ...Errors,
        },
      },
    },
    async (req, reply) => {
      const caller = await requireAdmin(ctx, req, SUPER_ADMIN);
      const a = await addTeamMember(ctx, caller, req.body);
      reply.status(201);
      const admin = {
        id: String(a.id),
        email: a.email,
        name: a.name,
        role: a.role,
        xano_user_id: String(a.userId),
        created_at: a.created_at.toISOString(),
      };
      return ok(ctx.now(), { admin, message: `${a.email} was added as ${a.role.replace('_', ' ')}.` });
    },
  );

  app.delete(
    '/api/team',
    {
      schema: {
        summary: 'Remove an admin (super_admin): disabled, sessions ended',
        querystring: Type.Object({ id: IdParam }),
        response: { 200: Ok({ message: Type.String() }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req, SUPER_ADMIN);
      await removeTeamMember(ctx, caller, Number(req.query.id));
      return ok(ctx.now(), { message: 'Admin removed; their sessions have ended.' });
    },
  );

  // The console calls the plural path; the legacy handler was singular (kept as an alias).
  for (const url of ['/api/team/revoke-sessions', '/api/team/revoke-session']) {
    app.post(
      url,
      {
        schema: {
          summary: 'End every admin session (super_admin); each admin must sign in to the main app again',
          response: { 200: Ok({ message: Type.String(), affected_admins: Type.Integer() }), ...Errors },
        },
      },
      async (req) => {
        const caller = await requireAdmin(ctx, req, SUPER_ADMIN);
        const affected = await revokeAllSessions(ctx, caller);
        return ok(ctx.now(), { message: `Sessions of ${affected} admins were ended.`, affected_admins: affected });
      },
    );
  }
}
