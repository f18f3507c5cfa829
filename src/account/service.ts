/**
 * DELETE /me/delete-account: re-authentication, idempotency, the one-transaction erasure, then the
 * provider calls that must follow the commit (releasing the holds of unanswered questions).
 */
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { verifySession } from '../auth/jwt.ts';
import type { AppContext } from '../context.ts';
import { badRequest, forbidden, unauthorized } from '../errors.ts';
import { runPaymentAction } from '../payments/actions.ts';
import { hashIdempotencyKey, pseudonym } from '../privacy/pseudonym.ts';
import { checkCode, sendCode } from './codes.ts';
import { eraseAccountTx, type Receipt } from './erase-account.ts';
import { findAuditByKey, findUser } from './queries.ts';

export interface DeleteRequest {
  /** The raw Bearer token (null = header missing). */
  token: string | null;
  idempotencyKey: string | null;
  code: string | null;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,200}$/;

/** A retry without an Idempotency-Key is recognised by its session token. */
function idempotencyKeyOf(req: DeleteRequest): string {
  if (req.idempotencyKey !== null) {
    if (!IDEMPOTENCY_KEY.test(req.idempotencyKey)) {
      throw badRequest('Idempotency-Key must be 8–200 visible ASCII characters (a UUID is fine).', 'invalid_idempotency_key');
    }
    return `key:${req.idempotencyKey}`;
  }
  return `token:${createHash('sha256')
    .update(req.token ?? '')
    .digest('hex')}`;
}

function storedReceipt(row: { deletion_id: string; counts: unknown }): Receipt {
  const counts = (typeof row.counts === 'string' ? JSON.parse(row.counts) : row.counts) as Record<string, number>;
  return { deletion_id: row.deletion_id, counts: counts ?? {} };
}

/** Fresh proof: a login in the last minutes, made by this very session (not just any device). */
function isFreshLogin(ctx: AppContext, token: string, lastLogin: Date | null): boolean {
  if (!lastLogin) return false;
  const now = ctx.now().getTime();
  if (now - lastLogin.getTime() > ctx.config.privacy.reauthMinutes * 60_000) return false;
  const iat = decodeJwt(token).iat;
  return typeof iat === 'number' && iat * 1000 >= lastLogin.getTime() - 5_000;
}

export async function deleteAccount(ctx: AppContext, req: DeleteRequest): Promise<Receipt & { replayed: boolean }> {
  if (!req.token) throw unauthorized('Sign in first: this route needs an Authorization: Bearer <token> header.', 'missing_token');
  const claims = await verifySession(ctx.config.jwtSecret, req.token, ctx.now());
  if (!claims) throw unauthorized('Your session is invalid or has expired: sign in again.', 'invalid_token');
  const keyHash = hashIdempotencyKey(idempotencyKeyOf(req));
  const subject = pseudonym(ctx.config.privacy.pseudonymSecret, 'user', claims.userId);
  const replay = async () => {
    const done = await findAuditByKey(ctx.db, keyHash, subject);
    if (!done) throw unauthorized('Your session was ended: sign in again.', 'session_revoked');
    return { ...storedReceipt(done), replayed: true };
  };

  const user = await findUser(ctx.db, claims.userId);
  // The account is already gone: the same request retried gets the same receipt, anything else a 401.
  if (!user) return replay();
  if (user.token_version !== claims.tokenVersion) throw unauthorized('Your session was ended: sign in again.', 'session_revoked');
  if (req.code !== null) {
    if (!/^\d{6}$/.test(req.code)) throw badRequest('The code is the 6 digits from the confirmation e-mail.', 'invalid_code');
    await checkCode(ctx, 'delete_account', user.email.trim().toLowerCase(), req.code);
  } else if (!isFreshLogin(ctx, req.token, user.last_login_at)) {
    throw forbidden(
      `For your security, confirm it is you: sign out and sign in again, then delete your account within ${ctx.config.privacy.reauthMinutes} minutes, or send the code from POST /me/delete-account/code.`,
      'reauthentication_required',
    );
  }
  const erased = await ctx.db.transaction().execute((trx) => eraseAccountTx(ctx, trx, { userId: user.id, keyHash, now: ctx.now() }));
  if (!erased) return replay();
  ctx.log.info({ deletionId: erased.deletion_id, counts: erased.counts }, 'account erased');
  for (const id of erased.releasePaymentIds) {
    // The decision is committed: a provider outage leaves it to the payment-actions job.
    await runPaymentAction(ctx, id).catch((err) => ctx.log.warn({ err, paymentId: id }, 'hold release left to the payment-actions job'));
  }
  return { deletion_id: erased.deletion_id, counts: erased.counts, replayed: false };
}

/** POST /me/delete-account/code: e-mails a one-time code to the signed-in account's address. */
export async function sendDeleteCode(ctx: AppContext, userId: number) {
  const user = await findUser(ctx.db, userId);
  if (!user) throw unauthorized('Your account no longer exists.', 'session_revoked');
  return sendCode(ctx, { purpose: 'delete_account', email: user.email.trim().toLowerCase(), userId: user.id });
}
