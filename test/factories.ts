import { randomBytes } from 'node:crypto';
import { signSession } from '../src/auth/jwt.ts';
import type { AppContext } from '../src/context.ts';
import type { Db } from '../src/db/index.ts';

let seq = 0;
const unique = () => `${Date.now().toString(36)}${(++seq).toString(36)}${randomBytes(2).toString('hex')}`;

export async function createUser(
  db: Db,
  over: Partial<{ email: string; name: string; auth_provider: 'google' | 'linkedin' | 'magic_link' }> = {},
) {
  return db
    .insertInto('user')
    .values({
      email: over.email ?? `user-${unique()}@example.test`,
      name: over.name ?? 'Test User',
      auth_provider: over.auth_provider ?? 'magic_link',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A user with an expert profile (public, accepting questions, both tiers priced). */
export async function createExpert(
  db: Db,
  over: Partial<{ handle: string; tier2_enabled: boolean; tier2_auto_decline_below_cents: number | null }> = {},
) {
  const user = await createUser(db, { name: 'Expert Person' });
  const profile = await db
    .insertInto('expert_profile')
    .values({
      user_id: user.id,
      handle: over.handle ?? `exp${unique()}`.slice(0, 30),
      public: true,
      price_cents: 5000,
      sla_hours: 24,
      tier1_price_cents: 5000,
      tier1_sla_hours: 24,
      tier2_enabled: over.tier2_enabled ?? true,
      tier2_min_price_cents: 10000,
      tier2_max_price_cents: 50000,
      tier2_auto_decline_below_cents: over.tier2_auto_decline_below_cents ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { user, profile };
}

/** A valid session token for the user, as the sign-in routes would issue it. */
export async function tokenFor(ctx: AppContext, user: { id: number; token_version?: number }): Promise<string> {
  return signSession(ctx.config.jwtSecret, { userId: user.id, tokenVersion: user.token_version ?? 0 }, ctx.now());
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
