import type { Db } from '../db/index.ts';
import { toJson } from '../db/json.ts';

const FLAG_COLUMNS = ['id', 'key', 'name', 'description', 'enabled', 'min_plan_level', 'created_at', 'updated_at'] as const;

export type FlagRow = NonNullable<Awaited<ReturnType<typeof findFlagByKey>>>;

export function listFlags(db: Db) {
  return db.selectFrom('feature_flags').select(FLAG_COLUMNS).orderBy('key').execute();
}

export function listEnabledFlags(db: Db) {
  return db.selectFrom('feature_flags').select(['key', 'enabled', 'min_plan_level']).where('enabled', '=', true).orderBy('key').execute();
}

function findFlagByKey(db: Db, key: string) {
  return db.selectFrom('feature_flags').select(FLAG_COLUMNS).where('key', '=', key).executeTakeFirst();
}

/** Locks the flag row for the rest of the transaction (two admins editing one flag serialise). */
export function findFlagByKeyForUpdate(db: Db, key: string) {
  return db.selectFrom('feature_flags').select(FLAG_COLUMNS).where('key', '=', key).forUpdate().executeTakeFirst();
}

export function findFlagState(db: Db, key: string) {
  return db.selectFrom('feature_flags').select(['enabled', 'min_plan_level']).where('key', '=', key).executeTakeFirst();
}

/** Inserts the flag, or returns undefined when the key is taken. */
export function insertFlag(
  db: Db,
  f: { key: string; name: string; description: string; enabled: boolean; min_plan_level: number },
  now: Date,
) {
  return db
    .insertInto('feature_flags')
    .values({ ...f, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning(FLAG_COLUMNS)
    .executeTakeFirst();
}

export function updateFlag(
  db: Db,
  id: number,
  patch: Partial<{ name: string; description: string; enabled: boolean; min_plan_level: number }>,
  now: Date,
) {
  return db
    .updateTable('feature_flags')
    .set({ ...patch, updated_at: now })
    .where('id', '=', id)
    .returning(FLAG_COLUMNS)
    .executeTakeFirstOrThrow();
}

export async function deleteFlag(db: Db, id: number): Promise<void> {
  await db.deleteFrom('feature_flags').where('id', '=', id).execute();
}

export async function insertFlagAudit(
  db: Db,
  a: {
    flagId: number | null;
    flagKey: string;
    action: 'create' | 'update' | 'delete';
    adminUserId: number | null;
    before: unknown;
    after: unknown;
  },
  now: Date,
): Promise<void> {
  await db
    .insertInto('feature_flag_audit')
    .values({
      flag_id: a.flagId,
      flag_key: a.flagKey,
      action: a.action,
      admin_user_id: a.adminUserId,
      before: a.before === null ? null : toJson(a.before),
      after: a.after === null ? null : toJson(a.after),
      created_at: now,
    })
    .execute();
}

export function listFlagAudit(db: Db, key: string | undefined, limit: number) {
  let q = db
    .selectFrom('feature_flag_audit')
    .select(['id', 'flag_id', 'flag_key', 'action', 'admin_user_id', 'before', 'after', 'created_at'])
    .orderBy('id', 'desc')
    .limit(limit);
  if (key !== undefined) q = q.where('flag_key', '=', key);
  return q.execute();
}
