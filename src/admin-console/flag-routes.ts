import { type Static, Type } from '@fastify/type-provider-typebox';
import { requireAdmin, SUPER_ADMIN } from '../admin/guard.ts';
import type { AppContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { PLAN_LEVELS, planName } from '../flags/plans.ts';
import { allFlags, changeFlag, createFlag, type FlagRow, removeFlag } from '../flags/service.ts';
import type { App } from '../http/app-type.ts';
import { Errors, Id, Iso, Ok, ok } from './kit.ts';

const Key = Type.String({ pattern: '^[a-z0-9_]{1,64}$' });
const Flag = Type.Object({
  id: Id,
  key: Type.String(),
  name: Type.String(),
  description: Type.String(),
  enabled: Type.Boolean(),
  min_plan_level: Type.Integer(),
  min_plan: Type.String(),
  created_at: Iso,
  updated_at: Iso,
});
const flagOut = (f: FlagRow) => ({
  ...f,
  id: String(f.id),
  min_plan: planName(f.min_plan_level),
  created_at: f.created_at.toISOString(),
  updated_at: f.updated_at.toISOString(),
});
/** free/pro/enterprise → 0/10/20; anything else is no plan change (legacy: unknown → keep or 0). */
const levelOf = (plan: unknown) =>
  typeof plan === 'string' && plan in PLAN_LEVELS ? PLAN_LEVELS[plan as keyof typeof PLAN_LEVELS] : undefined;

/** The console's edit modal sends the whole row it listed; the toggle sends only `enabled`. */
const PatchBody = Type.Object({
  key: Type.Optional(Type.String({ maxLength: 64 })),
  name: Type.Optional(Type.String({ maxLength: 100 })),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  enabled: Type.Optional(Type.Boolean()),
  min_plan: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
});
type Patch = Static<typeof PatchBody>;

function flagChanges(b: Patch) {
  if (b.name === undefined && b.min_plan === undefined) {
    if (b.enabled === undefined) throw badRequest('Send enabled, or the flag’s name and min_plan.', 'nothing_to_change');
    return { enabled: b.enabled };
  }
  return {
    key: b.key,
    name: b.name?.trim() ? b.name : undefined,
    description: typeof b.description === 'string' ? b.description : undefined,
    enabled: b.enabled,
    min_plan_level: levelOf(b.min_plan),
  };
}

export function consoleFlagRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/flags',
    { schema: { summary: 'All feature flags', response: { 200: Ok({ flags: Type.Array(Flag) }), ...Errors } } },
    async (req) => {
      await requireAdmin(ctx, req);
      return ok(ctx.now(), { flags: (await allFlags(ctx)).map(flagOut) });
    },
  );

  app.post(
    '/api/flags',
    {
      schema: {
        summary: 'Create a feature flag (super_admin)',
        body: Type.Object({
          key: Key,
          name: Type.String({ minLength: 3, maxLength: 100 }),
          description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
          enabled: Type.Optional(Type.Boolean()),
          min_plan: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
        }),
        response: { 201: Ok({ flag: Flag, message: Type.String() }), ...Errors },
      },
    },
    async (req, reply) => {
      const caller = await requireAdmin(ctx, req, SUPER_ADMIN);
      const b = req.body;
      const flag = await createFlag(ctx, caller, {
        key: b.key,
        name: b.name,
        description: b.description ?? undefined,
        enabled: b.enabled,
        min_plan_level: levelOf(b.min_plan) ?? 0,
      });
      reply.status(201);
      return ok(ctx.now(), { flag: flagOut(flag), message: `Flag ${flag.key} created.` });
    },
  );

  const KeyQuery = Type.Object({ key: Key });
  const KeyParams = Type.Object({ key: Key });
  const patchSchema = {
    summary: 'Toggle or edit a feature flag (super_admin); the key never changes',
    body: PatchBody,
    response: { 200: Ok({ flag: Flag, message: Type.String() }), ...Errors },
  };
  const deleteSchema = {
    summary: 'Delete a feature flag (super_admin); its history stays',
    response: { 200: Ok({ message: Type.String() }), ...Errors },
  };

  const patch = async (req: Parameters<typeof requireAdmin>[1], key: string, body: Patch) => {
    const caller = await requireAdmin(ctx, req, SUPER_ADMIN);
    const flag = await changeFlag(ctx, caller, key, flagChanges(body));
    return ok(ctx.now(), { flag: flagOut(flag), message: `Flag ${key} updated.` });
  };
  const remove = async (req: Parameters<typeof requireAdmin>[1], key: string) => {
    const caller = await requireAdmin(ctx, req, SUPER_ADMIN);
    await removeFlag(ctx, caller, key);
    return ok(ctx.now(), { message: `Flag ${key} deleted.` });
  };
  app.patch('/api/flags', { schema: { ...patchSchema, querystring: KeyQuery } }, (req) => patch(req, req.query.key, req.body));
  app.patch('/api/flags/:key', { schema: { ...patchSchema, params: KeyParams } }, (req) => patch(req, req.params.key, req.body));
  app.delete('/api/flags', { schema: { ...deleteSchema, querystring: KeyQuery } }, (req) => remove(req, req.query.key));
  app.delete('/api/flags/:key', { schema: { ...deleteSchema, params: KeyParams } }, (req) => remove(req, req.params.key));
}
