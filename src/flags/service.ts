import { type AdminCaller, audit } from '../admin/guard.ts';
import type { AppContext } from '../context.ts';
import type { Db } from '../db/index.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import {
  deleteFlag,
  type FlagRow,
  findFlagByKeyForUpdate,
  findFlagState,
  insertFlag,
  insertFlagAudit,
  listEnabledFlags,
  listFlagAudit,
  listFlags,
  updateFlag,
} from './queries.ts';

export type { FlagRow };

export interface FlagInput {
  key: string;
  name: string;
  description?: string | undefined;
  enabled?: boolean | undefined;
  min_plan_level?: number | undefined;
}

export interface FlagPatch {
  key?: string | undefined;
  name?: string | undefined;
  description?: string | undefined;
  enabled?: boolean | undefined;
  min_plan_level?: number | undefined;
}

/** The trimmed name, which must still be 3–100 characters (the column's CHECK). */
function flagName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 3) throw badRequest('The flag name needs at least 3 characters besides spaces.', 'invalid_name');
  return trimmed;
}

/** What an audit row records of a flag: its settings, not its timestamps. */
function snapshot(f: FlagRow) {
  return { key: f.key, name: f.name, description: f.description, enabled: f.enabled, min_plan_level: f.min_plan_level };
}

export async function createFlag(ctx: AppContext, caller: AdminCaller, input: FlagInput): Promise<FlagRow> {
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    const flag = await insertFlag(
      trx,
      {
        key: input.key,
        name: flagName(input.name),
        description: input.description?.trim() ?? '',
        enabled: input.enabled ?? false,
        min_plan_level: input.min_plan_level ?? 0,
      },
      now,
    );
    if (!flag)
      throw conflict(`A flag with the key "${input.key}" exists: change it with PATCH /api/flags?key=${input.key}.`, 'flag_exists');
    await insertFlagAudit(
      trx,
      { flagId: flag.id, flagKey: flag.key, action: 'create', adminUserId: caller.adminId, before: null, after: snapshot(flag) },
      now,
    );
    await audit(trx, caller, { action: 'flag.create', targetType: 'feature_flag', targetId: flag.key, details: snapshot(flag) }, now);
    return flag;
  });
}

export async function changeFlag(ctx: AppContext, caller: AdminCaller, key: string, patch: FlagPatch): Promise<FlagRow> {
  if (patch.key !== undefined && patch.key !== key) {
    throw badRequest('A flag key cannot change: create a new flag and delete this one instead.', 'key_immutable');
  }
  const { key: _key, ...fields } = patch;
  const changes = Object.fromEntries(
    Object.entries({
      ...fields,
      name: fields.name === undefined ? undefined : flagName(fields.name),
      description: fields.description?.trim(),
    }).filter(([, v]) => v !== undefined),
  );
  if (!Object.keys(changes).length) {
    throw badRequest('Send at least one of name, description, enabled, min_plan_level.', 'nothing_to_change');
  }
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await findFlagByKeyForUpdate(trx, key);
    if (!before) throw notFound(`No flag with the key "${key}".`, 'flag_not_found');
    const after = await updateFlag(trx, before.id, changes, now);
    await insertFlagAudit(
      trx,
      { flagId: after.id, flagKey: key, action: 'update', adminUserId: caller.adminId, before: snapshot(before), after: snapshot(after) },
      now,
    );
    await audit(trx, caller, { action: 'flag.update', targetType: 'feature_flag', targetId: key, details: { changes } }, now);
    return after;
  });
}

export async function removeFlag(ctx: AppContext, caller: AdminCaller, key: string): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await findFlagByKeyForUpdate(trx, key);
    if (!before) throw notFound(`No flag with the key "${key}".`, 'flag_not_found');
    // The audit row is written first and points at the flag; the delete then sets flag_id to NULL.
    await insertFlagAudit(
      trx,
      { flagId: before.id, flagKey: key, action: 'delete', adminUserId: caller.adminId, before: snapshot(before), after: null },
      now,
    );
    await deleteFlag(trx, before.id);
    await audit(trx, caller, { action: 'flag.delete', targetType: 'feature_flag', targetId: key, details: snapshot(before) }, now);
  });
}

/**
 * Server-side flag check for gradual rollout. Unknown flags are off. `planLevel` is the caller's
 * plan (0 free, 10 pro, 20 enterprise); users have no plans yet, so everyone counts as free.
 */
export async function isFlagEnabled(db: Db, key: string, planLevel = 0): Promise<boolean> {
  const flag = await findFlagState(db, key);
  return Boolean(flag?.enabled && flag.min_plan_level <= planLevel);
}

/** Every flag, for the admin screens. */
export const allFlags = (ctx: AppContext) => listFlags(ctx.db);
/** The flags that are on, for the public client's bootstrap. */
export const enabledFlags = (ctx: AppContext) => listEnabledFlags(ctx.db);
/** A flag's change history, newest first. */
export const flagHistory = (ctx: AppContext, key: string | undefined, limit: number) => listFlagAudit(ctx.db, key, limit);
