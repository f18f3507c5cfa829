import type { Insertable, Updateable } from 'kysely';
import { type Kysely, sql } from 'kysely';
import { deleteByIds } from '../db/delete.ts';
import type { DB, UserTable } from '../db/schema.ts';

type Q = Kysely<DB>;

/** Serialises the transactions that take the same key (e.g. all sends for one e-mail address). */
export async function lockKey(trx: Q, key: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
}

/** Number of tokens created since `since` (for an address, a network, or both), the oldest and newest. */
export async function countTokensSince(trx: Q, by: { email?: string; ipHash?: string }, since: Date) {
  let q = trx
    .selectFrom('magic_link_token')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('created_at').as('oldest'), eb.fn.max('created_at').as('newest')])
    .where('created_at', '>', since);
  if (by.email !== undefined) q = q.where('email', '=', by.email);
  if (by.ipHash !== undefined) q = q.where('ip_hash', '=', by.ipHash);
  const row = await q.executeTakeFirstOrThrow();
  const date = (d: unknown) => (d ? new Date(d as Date) : null);
  return { count: Number(row.count), oldest: date(row.oldest), newest: date(row.newest) };
}

export async function insertMagicToken(
  trx: Q,
  row: { email: string; tokenHash: string; codeHash: string; ipHash: string; expiresAt: Date; now: Date },
) {
  return trx
    .insertInto('magic_link_token')
    .values({
      email: row.email,
      token_hash: row.tokenHash,
      code_hash: row.codeHash,
      ip_hash: row.ipHash,
      expires_at: row.expiresAt,
      created_at: row.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/**
 * Single use, atomically: only one request can flip `used` on a given token. Wrong codes do not
 * stop the link: its 256-bit token cannot be guessed, so it always works for whoever got the e-mail.
 */
export async function consumeTokenByHash(trx: Q, tokenHash: string, now: Date) {
  return trx
    .updateTable('magic_link_token')
    .set({ used: true, used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used', '=', false)
    .where('expires_at', '>', now)
    .returning(['id', 'email'])
    .executeTakeFirst();
}

export async function findTokenByHash(db: Q, tokenHash: string) {
  return db.selectFrom('magic_link_token').select(['id', 'used', 'expires_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** The live tokens of an address, with both attempt counters, locked for the code check. */
export async function lockActiveTokensForEmail(trx: Q, email: string, now: Date) {
  return trx
    .selectFrom('magic_link_token')
    .select(['id', 'token_hash', 'code_hash', 'ip_hash', 'failed_attempts', 'foreign_failed_attempts'])
    .where('email', '=', email)
    .where('used', '=', false)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .forUpdate()
    .execute();
}

export async function markTokenUsed(trx: Q, id: number, now: Date) {
  await trx.updateTable('magic_link_token').set({ used: true, used_at: now }).where('id', '=', id).execute();
}

/** One failed code guess counts against the tokens it could have matched, in the guesser's counter. */
export async function addFailedAttempt(trx: Q, ids: number[], counter: 'failed_attempts' | 'foreign_failed_attempts') {
  if (!ids.length) return;
  await trx
    .updateTable('magic_link_token')
    .set({ [counter]: sql`${sql.ref(counter)} + 1` })
    .where('id', 'in', ids)
    .execute();
}

export async function setTokenUser(trx: Q, id: number, userId: number) {
  await trx.updateTable('magic_link_token').set({ user_id: userId }).where('id', '=', id).execute();
}

/**
 * Creates the user unless one with this e-mail (case-insensitive unique index) exists; returns the
 * new row, or undefined when it existed. Safe under concurrent first sign-ins.
 */
export async function insertUserIfAbsent(trx: Q, values: Insertable<UserTable>) {
  return trx
    .insertInto('user')
    .values(values)
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findUserByEmail(db: Q, email: string) {
  return db.selectFrom('user').selectAll().where(sql<string>`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
}

export async function findUserById(db: Q, id: number) {
  return db.selectFrom('user').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserByGoogleSub(db: Q, sub: string) {
  return db.selectFrom('user').selectAll().where('google_sub', '=', sub).executeTakeFirst();
}

export async function findUserByLinkedinId(db: Q, id: string) {
  return db.selectFrom('user').selectAll().where(sql<string>`linkedin_oauth ->> 'id'`, '=', id).executeTakeFirst();
}

export async function updateUser(trx: Q, id: number, set: Updateable<UserTable>) {
  return trx.updateTable('user').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Revokes every session of the user: tokens carry the version they were issued under. */
export async function bumpTokenVersion(db: Q, id: number) {
  await db.updateTable('user').set({ token_version: sql`token_version + 1` }).where('id', '=', id).execute();
}

/** An erased account's user row, last (cascades what is left): returns how many rows went. */
export function deleteUser(trx: Q, id: number) {
  return deleteByIds(trx, 'user', [id]);
}

export async function deleteMagicLinksOf(trx: Q, email: string, userId: number | null) {
  const r = await sql`
    DELETE FROM magic_link_token WHERE lower(email) = ${email} ${userId === null ? sql`` : sql`OR user_id = ${userId}`}`.execute(trx);
  return Number(r.numAffectedRows ?? 0);
}
