import type { AppContext } from '../context.ts';
import { queueEmail } from '../email/outbox.ts';
import { magicLinkEmail } from '../email/templates.ts';
import { badRequest, gone, HttpError, notFound, tooManyRequests } from '../errors.ts';
import {
  addFailedAttempt,
  consumeTokenByHash,
  countTokensSince,
  findLatestTokenForEmail,
  findTokenByHash,
  insertMagicToken,
  lockActiveTokensForEmail,
  lockKey,
  markTokenUsed,
  setTokenUser,
} from './queries.ts';
import { hashCode, hashIp, hashToken, newMagicCode, newMagicToken, normaliseEmail, sameHex } from './secrets.ts';
import { issueSession, signInByEmail, type UserRow } from './service.ts';

export const MAGIC_LINK_TTL_SECONDS = 15 * 60;
export const SENDS_PER_EMAIL_PER_HOUR = 3;
/** Wrong codes tolerated per token; then the token is dead and a new e-mail is needed. */
export const MAX_CODE_ATTEMPTS = 5;
const HOUR_MS = 60 * 60 * 1000;

function rateLimited(oldest: Date | null, now: Date, message: string): HttpError {
  const until = (oldest?.getTime() ?? now.getTime()) + HOUR_MS;
  const seconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
  return tooManyRequests(seconds, message.replace('{minutes}', String(Math.ceil(seconds / 60))), 'rate_limited');
}

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
  const code = newMagicCode();
  const tokenHash = hashToken(token);
  await ctx.db.transaction().execute(async (trx) => {
    // Always e-mail first, then IP: two locks taken in one order cannot deadlock.
    await lockKey(trx, `magic-link:email:${email}`);
    await lockKey(trx, `magic-link:ip:${ipHash}`);
    const byEmail = await countTokensSince(trx, { email }, since);
    if (byEmail.count >= SENDS_PER_EMAIL_PER_HOUR) {
      throw rateLimited(
        byEmail.oldest,
        now,
        'Too many sign-in e-mails were requested for this address. Use the latest one, or try again in {minutes} minutes.',
      );
    }
    const byIp = await countTokensSince(trx, { ipHash }, since);
    if (byIp.count >= ctx.config.magicLinkIpLimitPerHour) {
      throw rateLimited(byIp.oldest, now, 'Too many sign-in e-mails were requested from your network. Try again in {minutes} minutes.');
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

/** Why a token can no longer sign in; null when it does not exist. */
function unusable(t: { used: boolean; expires_at: Date; failed_attempts: number }, now: Date): HttpError {
  if (t.used) return gone('This sign-in link or code was already used. Request a new one to sign in again.', 'token_already_used');
  if (t.failed_attempts >= MAX_CODE_ATTEMPTS)
    return gone('Too many wrong codes were entered. Request a new sign-in e-mail.', 'too_many_attempts');
  if (t.expires_at.getTime() <= now.getTime()) return gone('This sign-in link or code has expired. Request a new one.', 'token_expired');
  return gone('This sign-in link can no longer be used. Request a new one.', 'token_unusable');
}

/** Signs in with the token from the e-mailed link: single use, 15 minutes. */
export async function verifyMagicToken(ctx: AppContext, token: string): Promise<SignedIn> {
  const tokenHash = hashToken(token);
  const now = ctx.now();
  const result = await ctx.db.transaction().execute(async (trx) => {
    const consumed = await consumeTokenByHash(trx, tokenHash, now, MAX_CODE_ATTEMPTS);
    if (!consumed) return null;
    const signedIn = await signInByEmail(ctx, trx, consumed.email);
    await setTokenUser(trx, consumed.id, signedIn.user.id);
    return signedIn;
  });
  if (!result) {
    const t = await findTokenByHash(ctx.db, tokenHash);
    if (!t) throw notFound('This sign-in link is not valid. Request a new one.', 'token_not_found');
    throw unusable(t, now);
  }
  return { token: await issueSession(ctx, result.user), user: result.user, isNewUser: result.isNew };
}

type CodeOutcome = { kind: 'none' } | { kind: 'wrong'; attemptsLeft: number } | { kind: 'ok'; user: UserRow; isNew: boolean };

/**
 * Signs in with the 6-digit code from the same e-mail. Any code of the address's live tokens is
 * accepted; each wrong guess counts against all of them, and after MAX_CODE_ATTEMPTS they are dead.
 */
export async function verifyMagicCode(ctx: AppContext, rawEmail: string, code: string): Promise<SignedIn> {
  const email = normaliseEmail(rawEmail);
  if (!email) throw badRequest('Enter the e-mail address the code was sent to.', 'invalid_email');
  const secret = ctx.config.jwtSecret;
  const now = ctx.now();
  const outcome = await ctx.db.transaction().execute(async (trx): Promise<CodeOutcome> => {
    await lockKey(trx, `magic-link:email:${email}`);
    const live = await lockActiveTokensForEmail(trx, email, now, MAX_CODE_ATTEMPTS);
    if (!live.length) return { kind: 'none' };
    const match = live.find((t) => t.token_hash && t.code_hash && sameHex(hashCode(secret, t.token_hash, code), t.code_hash));
    if (!match) {
      const counts = await addFailedAttempt(
        trx,
        live.map((t) => t.id),
      );
      const best = Math.max(...counts.map((c) => MAX_CODE_ATTEMPTS - c.failed_attempts));
      return { kind: 'wrong', attemptsLeft: Math.max(0, best) };
    }
    await markTokenUsed(trx, match.id, now);
    const signedIn = await signInByEmail(ctx, trx, email);
    await setTokenUser(trx, match.id, signedIn.user.id);
    return { kind: 'ok', ...signedIn };
  });
  if (outcome.kind === 'none') {
    const latest = await findLatestTokenForEmail(ctx.db, email);
    if (!latest) throw notFound('No sign-in code was sent to this address. Request a sign-in e-mail first.', 'code_not_found');
    throw unusable(latest, now);
  }
  if (outcome.kind === 'wrong') {
    if (outcome.attemptsLeft === 0) throw gone('Too many wrong codes were entered. Request a new sign-in e-mail.', 'too_many_attempts');
    throw new HttpError(400, 'invalid_code', `That code is not right: ${outcome.attemptsLeft} attempts left.`, {
      attemptsLeft: outcome.attemptsLeft,
    });
  }
  return { token: await issueSession(ctx, outcome.user), user: outcome.user, isNewUser: outcome.isNew };
}
