import type { AppContext } from '../context.ts';
import { queueEmail } from '../email/outbox.ts';
import { magicLinkEmail } from '../email/templates.ts';
import { badRequest, gone, type HttpError, notFound, tooManyRequests } from '../errors.ts';
import { hashIp } from '../http/ip-hash.ts';
import {
  addFailedAttempt,
  consumeTokenByHash,
  countTokensSince,
  findTokenByHash,
  insertMagicToken,
  lockActiveTokensForEmail,
  lockKey,
  markTokenUsed,
  setTokenUser,
} from './queries.ts';
import { hashCode, hashToken, newMagicToken, newOneTimeCode, normaliseEmail, sameHex } from './secrets.ts';
import { issueSession, signInByEmail, type UserRow } from './service.ts';

const MAGIC_LINK_TTL_SECONDS = 15 * 60;
/** Sends per address per requesting network in a rolling hour. */
const SENDS_PER_EMAIL_PER_HOUR = 3;
/** Sends per address from all networks in a rolling hour before only the slow lane below is left. */
const SENDS_PER_EMAIL_ALL_NETWORKS_PER_HOUR = 10;
/** The slow lane: past that, one e-mail per address every 5 minutes, so the owner always gets one soon. */
const SLOW_LANE_MS = 5 * 60 * 1000;
/** Wrong codes tolerated per token from the requesting network, and again from all others together. */
const MAX_CODE_ATTEMPTS = 5;
const HOUR_MS = 60 * 60 * 1000;

function rateLimited(until: number, now: Date, message: string): HttpError {
  const seconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
  return tooManyRequests(seconds, message.replace('{minutes}', String(Math.ceil(seconds / 60))), 'rate_limited');
}

/** The one answer to every code that does not sign in: unknown, used, expired, wrong or out of attempts. */
const INVALID_CODE = () =>
  badRequest('That code is not valid. Use the code from the latest sign-in e-mail, or request a new one.', 'invalid_code');

/**
 * Creates a single-use token and code for the address and queues e-mail 1. Answers the same whether
 * or not an account exists (nothing here looks accounts up). At most 3 sends per address and
 * `magicLinkIpLimitPerHour` per client IP in any rolling hour; both counted in the database, so the
 * limits hold across instances.
 */
export async function sendMagicLink(ctx: AppContext, input: { email: string; ip: string }): Promise<{ expiresInSeconds: number }> {
  const email = normaliseEmail(input.email);
  if (!email) throw badRequest('Enter a valid e-mail address, like name@example.com.', 'invalid_email');
  const secret = ctx.config.jwtSecret;
  const now = ctx.now();
  const since = new Date(now.getTime() - HOUR_MS);
  const ipHash = hashIp(ctx.config.ipHashSecret, input.ip);
  const token = newMagicToken();
  const code = newOneTimeCode();
  const tokenHash = hashToken(token);
  await ctx.db.transaction().execute(async (trx) => {
    // Always e-mail first, then IP: two locks taken in one order cannot deadlock.
    await lockKey(trx, `magic-link:email:${email}`);
    await lockKey(trx, `magic-link:ip:${ipHash}`);
    // A stranger asking for someone's address spends their own network's quota, not the owner's.
    const mine = await countTokensSince(trx, { email, ipHash }, since);
    if (mine.count >= SENDS_PER_EMAIL_PER_HOUR) {
      throw rateLimited(
        (mine.oldest?.getTime() ?? now.getTime()) + HOUR_MS,
        now,
        'Too many sign-in e-mails were requested for this address. Use the latest one, or try again in {minutes} minutes.',
      );
    }
    const all = await countTokensSince(trx, { email }, since);
    const slowLaneOpen = (all.newest?.getTime() ?? 0) + SLOW_LANE_MS;
    if (all.count >= SENDS_PER_EMAIL_ALL_NETWORKS_PER_HOUR && slowLaneOpen > now.getTime()) {
      throw rateLimited(
        slowLaneOpen,
        now,
        'Many sign-in e-mails were sent to this address. Use the latest one, or try again in {minutes} minutes.',
      );
    }
    const byIp = await countTokensSince(trx, { ipHash }, since);
    if (byIp.count >= ctx.config.magicLinkIpLimitPerHour) {
      throw rateLimited(
        (byIp.oldest?.getTime() ?? now.getTime()) + HOUR_MS,
        now,
        'Too many sign-in e-mails were requested from your network. Try again in {minutes} minutes.',
      );
    }
    const row = await insertMagicToken(trx, {
      email,
      tokenHash,
      codeHash: hashCode(secret, tokenHash, code),
      ipHash,
      expiresAt: new Date(now.getTime() + MAGIC_LINK_TTL_SECONDS * 1000),
      now,
    });
    const link = `${ctx.config.clientOrigin}/auth/magic-link?token=${encodeURIComponent(token)}`;
    await queueEmail(
      ctx.jobs,
      trx,
      {
        template: 'magic_link',
        to: email,
        dedupeKey: `magic_link:${row.id}`,
        ...magicLinkEmail({ link, code, minutes: MAGIC_LINK_TTL_SECONDS / 60 }),
      },
      now,
    );
  });
  return { expiresInSeconds: MAGIC_LINK_TTL_SECONDS };
}

export interface SignedIn {
  token: string;
  user: UserRow;
  isNewUser: boolean;
}

/** Why a link can no longer sign in: the legacy client reads these codes (contract §2.1). */
function unusable(t: { used: boolean }): HttpError {
  if (t.used) return gone('This sign-in link or code was already used. Request a new one to sign in again.', 'token_already_used');
  return gone('This sign-in link or code has expired. Request a new one.', 'token_expired');
}

/**
 * Signs in with the token from the e-mailed link: single use, 15 minutes. Its distinct answers tell
 * nothing about an address: only the holder of the 256-bit token can ask about it.
 */
export async function verifyMagicToken(ctx: AppContext, token: string): Promise<SignedIn> {
  const tokenHash = hashToken(token);
  const now = ctx.now();
  const result = await ctx.db.transaction().execute(async (trx) => {
    const consumed = await consumeTokenByHash(trx, tokenHash, now);
    if (!consumed) return null;
    const signedIn = await signInByEmail(ctx, trx, consumed.email);
    await setTokenUser(trx, consumed.id, signedIn.user.id);
    return signedIn;
  });
  if (!result) {
    const t = await findTokenByHash(ctx.db, tokenHash);
    if (!t) throw notFound('This sign-in link is not valid. Request a new one.', 'token_not_found');
    throw unusable(t);
  }
  return { token: await issueSession(ctx, result.user), user: result.user, isNewUser: result.isNew };
}

/**
 * Signs in with the 6-digit code from the same e-mail. Any live code of the address is accepted.
 * A wrong guess counts in the budget of the guesser's side: the network that requested the code,
 * or everyone else. So a stranger's guesses never use up the owner's attempts, and every failure
 * (no code, used, expired, wrong, out of attempts) gets the same answer, telling nothing about the address.
 */
export async function verifyMagicCode(ctx: AppContext, input: { email: string; code: string; ip: string }): Promise<SignedIn> {
  const email = normaliseEmail(input.email);
  if (!email) throw badRequest('Enter the e-mail address the code was sent to.', 'invalid_email');
  const secret = ctx.config.jwtSecret;
  const ipHash = hashIp(ctx.config.ipHashSecret, input.ip);
  const now = ctx.now();
  const signedIn = await ctx.db.transaction().execute(async (trx) => {
    await lockKey(trx, `magic-link:email:${email}`);
    const live = await lockActiveTokensForEmail(trx, email, now);
    const own = (t: (typeof live)[number]) => t.ip_hash === ipHash;
    const open = live.filter((t) => (own(t) ? t.failed_attempts : t.foreign_failed_attempts) < MAX_CODE_ATTEMPTS);
    const match = open.find((t) => t.token_hash && t.code_hash && sameHex(hashCode(secret, t.token_hash, input.code), t.code_hash));
    if (!match) {
      await addFailedAttempt(
        trx,
        open.filter(own).map((t) => t.id),
        'failed_attempts',
      );
      await addFailedAttempt(
        trx,
        open.filter((t) => !own(t)).map((t) => t.id),
        'foreign_failed_attempts',
      );
      return null;
    }
    await markTokenUsed(trx, match.id, now);
    const result = await signInByEmail(ctx, trx, email);
    await setTokenUser(trx, match.id, result.user.id);
    return result;
  });
  if (!signedIn) throw INVALID_CODE();
  return { token: await issueSession(ctx, signedIn.user), user: signedIn.user, isNewUser: signedIn.isNew };
}
