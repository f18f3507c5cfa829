import type { Kysely, Selectable } from 'kysely';
import type { AppContext } from '../context.ts';
import type { DB, UserTable } from '../db/schema.ts';
import { queueEmail } from '../email/outbox.ts';
import { welcomeEmail } from '../email/templates.ts';
import { notFound } from '../errors.ts';
import { signSession } from './jwt.ts';
import { bumpTokenVersion, findUserByEmail, findUserById, insertUserIfAbsent, updateUser } from './queries.ts';

export type UserRow = Selectable<UserTable>;

export async function issueSession(ctx: AppContext, user: { id: number; token_version: number }): Promise<string> {
  return signSession(ctx.config.jwtSecret, { userId: user.id, tokenVersion: user.token_version }, ctx.now());
}

/** E-mail 2, once per account (the dedupe key makes a second queueing a no-op). */
export async function queueWelcomeEmail(ctx: AppContext, trx: Kysely<DB>, user: UserRow): Promise<void> {
  await queueEmail(
    ctx.jobs,
    trx,
    {
      template: 'welcome',
      to: user.email,
      dedupeKey: `welcome:${user.id}`,
      ...welcomeEmail({ name: user.name, dashboardUrl: `${ctx.config.clientOrigin}/dashboard` }),
    },
    ctx.now(),
  );
}

/**
 * The account of a verified e-mail address, created on first sign-in (as a magic-link account).
 * Runs inside the caller's transaction; records the login time and queues the welcome e-mail.
 */
export async function signInByEmail(ctx: AppContext, trx: Kysely<DB>, email: string): Promise<{ user: UserRow; isNew: boolean }> {
  const now = ctx.now();
  const created = await insertUserIfAbsent(trx, {
    email,
    name: '',
    auth_provider: 'magic_link',
    auth_provider_id: email,
    created_at: now,
    last_login_at: now,
  });
  if (created) {
    await queueWelcomeEmail(ctx, trx, created);
    return { user: created, isNew: true };
  }
  const existing = await findUserByEmail(trx, email);
  if (!existing) throw new Error(`user ${email} vanished during sign-in`);
  return { user: await updateUser(trx, existing.id, { last_login_at: now }), isNew: false };
}

export async function currentUser(ctx: AppContext, userId: number): Promise<UserRow> {
  const user = await findUserById(ctx.db, userId);
  if (!user) throw notFound('Your account no longer exists.', 'user_not_found');
  return user;
}

/** Ends every session of the account at once (all devices): the token version moves on. */
export async function logout(ctx: AppContext, userId: number): Promise<void> {
  await bumpTokenVersion(ctx.db, userId);
}
