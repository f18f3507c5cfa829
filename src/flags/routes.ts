import { Type } from '@fastify/type-provider-typebox';
import { audit, requireAdmin, SUPER_ADMIN } from '../admin/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { ErrorBody } from '../http/schemas.ts';
import { planName } from './plans.ts';
import { allFlags, changeFlag, createFlag, enabledFlags, type FlagRow, flagHistory, removeFlag } from './service.ts';

const Key = Type.String({ pattern: '^[a-z0-9_]{1,64}$', description: 'lower-case letters, digits and _' });
const Level = Type.Union([Type.Literal(0), Type.Literal(10), Type.Literal(20)], { description: '0 free, 10 pro, 20 enterprise' });
const Plan = Type.Union([Type.Literal('free'), Type.Literal('pro'), Type.Literal('enterprise')]);
const Name = Type.String({ minLength: 3, maxLength: 100 });
const Description = Type.String({ maxLength: 500 });
const Errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

const Flag = Type.Object({
  id: Type.Integer(),
  key: Type.String(),
  name: Type.String(),
  description: Type.String(),
  enabled: Type.Boolean(),
  min_plan_level: Type.Integer(),
  min_plan: Plan,
  created_at: Type.Number(),
  updated_at: Type.Number(),
});
const PublicFlag = Type.Object({ key: Type.String(), enabled: Type.Boolean(), min_plan: Plan, min_plan_level: Type.Integer() });
const FlagAudit = Type.Object({
  id: Type.Integer(),
  flag_key: Type.String(),
  action: Type.String(),
  admin_user_id: Type.Union([Type.Integer(), Type.Null()]),
  before: Type.Unknown(),
  after: Type.Unknown(),
  created_at: Type.Number(),
});
const KeyQuery = Type.Object({ key: Key }, { additionalProperties: false });

function flagOut(f: FlagRow) {
  return { ...f, min_plan: planName(f.min_plan_level), created_at: f.created_at.getTime(), updated_at: f.updated_at.getTime() };
}

export function flagRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/flags/public',
    {
      schema: {
        tags: ['flags'],
        summary: 'Enabled feature flags, for the web client (cached 5 min at the edge)',
        response: { 200: Type.Object({ flags: Type.Array(PublicFlag) }) },
      },
    },
    async (_req, reply) => {
      const flags = await enabledFlags(ctx);
      reply.header('cache-control', 'public, max-age=300, stale-while-revalidate=600');
      return { flags: flags.map((f) => ({ ...f, min_plan: planName(f.min_plan_level) })) };
    },
  );

  app.get(
    '/api/flags',
    {
      schema: {
        tags: ['flags'],
        summary: 'All feature flags (admin)',
        response: { 200: Type.Object({ flags: Type.Array(Flag) }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req);
      const flags = await allFlags(ctx);
      await audit(ctx.db, caller, { action: 'flag.list' }, ctx.now());
      return { flags: flags.map(flagOut) };
    },
  );

  app.get(
    '/api/flags/audit',
    {
      schema: {
        tags: ['flags'],
        summary: 'Change history of the flags, newest first (admin)',
        querystring: Type.Object(
          { key: Type.Optional(Key), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ entries: Type.Array(FlagAudit) }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req);
      const rows = await flagHistory(ctx, req.query.key, req.query.limit ?? 100);
      await audit(ctx.db, caller, { action: 'flag.audit_list', targetType: 'feature_flag', targetId: req.query.key ?? null }, ctx.now());
      return { entries: rows.map((r) => ({ ...r, created_at: r.created_at.getTime() })) };
    },
  );

  app.post(
    '/api/flags',
    {
      schema: {
        tags: ['flags'],
        summary: 'Create a feature flag (super_admin)',
        body: Type.Object(
          {
            key: Key,
            name: Name,
            description: Type.Optional(Description),
            enabled: Type.Optional(Type.Boolean()),
            min_plan_level: Type.Optional(Level),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ flag: Flag }), ...Errors },
      },
    },
    async (req, reply) => {
      const caller = await requireAdmin(ctx, req, SUPER_ADMIN);
      const flag = await createFlag(ctx, caller, req.body);
      reply.status(201);
      return { flag: flagOut(flag) };
    },
  );

  app.patch(
    '/api/flags',
    {
      schema: {
        tags: ['flags'],
        summary: 'Change a feature flag; its key cannot change (super_admin)',
        querystring: KeyQuery,
        body: Type.Object(
          {
            key: Type.Optional(Type.String({ maxLength: 64 })),
            name: Type.Optional(Name),
            description: Type.Optional(Description),
            enabled: Type.Optional(Type.Boolean()),
            min_plan_level: Type.Optional(Level),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ flag: Flag }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req, SUPER_ADMIN);
      const flag = await changeFlag(ctx, caller, req.query.key, req.body);
      return { flag: flagOut(flag) };
    },
  );

  app.delete(
    '/api/flags',
    {
      schema: {
        tags: ['flags'],
        summary: 'Delete a feature flag (super_admin); its history stays',
        querystring: KeyQuery,
        response: { 200: Type.Object({ success: Type.Boolean(), key: Type.String() }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req, SUPER_ADMIN);
      await removeFlag(ctx, caller, req.query.key);
      return { success: true, key: req.query.key };
    },
  );
}
