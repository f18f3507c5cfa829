/**
 * One-time codes that prove an e-mail address before an erasure: the account owner's fresh proof
 * for DELETE /me/delete-account, and an asker's proof of their address (askers have no account).
 * Only a salted HMAC of the code is stored; 3 codes per address per hour, 5 wrong guesses per code.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { newOneTimeCode, sameHex } from '../auth/secrets.ts';
import type { AppContext } from '../context.ts';
import type { DB, PrivacyCodeTable } from '../db/schema.ts';
import { queueEmail } from '../email/outbox.ts';
import { gone, HttpError, tooManyRequests } from '../errors.ts';
import { erasureCodeEmail } from './emails.ts';

export type Purpose = PrivacyCodeTable['purpose'];
const CODE_TTL_MINUTES = 15;
const CODES_PER_HOUR = 3;
const MAX_CODE_ATTEMPTS = 5;
const HOUR_MS = 3600_000;

function digest(secret: string, salt: string, purpose: Purpose, email: string, code: string): string {
  return createHmac('sha256', secret).update(`${purpose}:${email}:${salt}:${code}`).digest('hex');
}

function matches(secret: string, stored: string, purpose: Purpose, email: string, code: string): boolean {
  const [salt, hash] = stored.split('$');
  if (!salt || !hash) return false;
  return sameHex(digest(secret, salt, purpose, email, code), hash);
}

async function lockAddress(trx: Kysely<DB>, purpose: Purpose, email: string) {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`privacy-code:${purpose}:${email}`}))`.execute(trx);
}

/** Creates a code and queues its e-mail. Throws 429 past CODES_PER_HOUR for the address. */
export async function sendCode(ctx: AppContext, input: { purpose: Purpose; email: string; userId: number | null }) {
  const now = ctx.now();
  const code = newOneTimeCode();
  const salt = randomBytes(12).toString('hex');
  await ctx.db.transaction().execute(async (trx) => {
    await lockAddress(trx, input.purpose, input.email);
    const recent = await trx
      .selectFrom('privacy_code')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
      .where('purpose', '=', input.purpose)
      .where('email', '=', input.email)
      .where('created_at', '>', new Date(now.getTime() - HOUR_MS))
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= CODES_PER_HOUR) {
      const oldest = recent.oldest ? new Date(recent.oldest as Date).getTime() : now.getTime();
      const seconds = Math.max(1, Math.ceil((oldest + HOUR_MS - now.getTime()) / 1000));
      throw tooManyRequests(
        seconds,
        `Too many codes were requested for this address. Use the latest one, or try again in ${Math.ceil(seconds / 60)} minutes.`,
      );
    }
    const row = await trx
      .insertInto('privacy_code')
      .values({
        purpose: input.purpose,
        user_id: input.userId,
        email: input.email,
        code_hash: `${salt}$${digest(ctx.config.privacy.pseudonymSecret, salt, input.purpose, input.email, code)}`,
        expires_at: new Date(now.getTime() + CODE_TTL_MINUTES * 60_000),
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await queueEmail(
      ctx.jobs,
      trx,
      {
        template: 'privacy-code',
        to: input.email,
        dedupeKey: `privacy-code:${row.id}`,
        ...erasureCodeEmail({ code, minutes: CODE_TTL_MINUTES, purpose: input.purpose }),
      },
      now,
    );
  });
  return { expiresInSeconds: CODE_TTL_MINUTES * 60 };
}

/** The live codes of an address, locked. */
export function lockLiveCodes(trx: Kysely<DB>, purpose: Purpose, email: string, now: Date) {
  return trx
    .selectFrom('privacy_code')
    .select(['id', 'code_hash'])
    .where('purpose', '=', purpose)
    .where('email', '=', email)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where('failed_attempts', '<', MAX_CODE_ATTEMPTS)
    .orderBy('id', 'desc')
    .forUpdate()
    .execute();
}

/** The id of the live code `code` matches, or null. */
export function matchCode(ctx: AppContext, live: { id: number; code_hash: string }[], purpose: Purpose, email: string, code: string) {
  return live.find((c) => matches(ctx.config.privacy.pseudonymSecret, c.code_hash, purpose, email, code))?.id ?? null;
}

/**
 * Checks a code in its own transaction, so that a wrong guess is counted even though the request
 * fails. A right code is not consumed here: the erasure transaction re-checks and consumes it.
 */
export async function checkCode(ctx: AppContext, purpose: Purpose, email: string, code: string): Promise<void> {
  const now = ctx.now();
  const outcome = await ctx.db.transaction().execute(async (trx) => {
    await lockAddress(trx, purpose, email);
    const live = await lockLiveCodes(trx, purpose, email, now);
    if (!live.length) return { kind: 'none' as const };
    if (matchCode(ctx, live, purpose, email, code) !== null) return { kind: 'ok' as const };
    const after = await trx
      .updateTable('privacy_code')
      .set({ failed_attempts: sql`failed_attempts + 1` })
      .where(
        'id',
        'in',
        live.map((c) => c.id),
      )
      .returning('failed_attempts')
      .execute();
    return { kind: 'wrong' as const, left: Math.max(0, ...after.map((a) => MAX_CODE_ATTEMPTS - a.failed_attempts)) };
  });
  if (outcome.kind === 'none') {
    throw gone('This code has expired, was used or was never sent. Ask for a new code.', 'code_expired');
  }
  if (outcome.kind === 'wrong') {
    if (outcome.left === 0) throw gone('Too many wrong codes were entered. Ask for a new code.', 'too_many_attempts');
    throw new HttpError(400, 'invalid_code', `That code is not right: ${outcome.left} attempts left.`, { attemptsLeft: outcome.left });
  }
}
