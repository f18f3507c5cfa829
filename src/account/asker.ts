/**
 * Asker erasure: POST /api/askers/erasure/request e-mails a code to the address (always the same
 * answer: nothing tells whether the address asked anything), POST /api/askers/erasure/confirm with
 * the address and the code erases everything tied to it and returns the receipt.
 */
import { normaliseEmail } from '../auth/secrets.ts';
import type { AppContext } from '../context.ts';
import { badRequest, gone } from '../errors.ts';
import { runPaymentAction } from '../payments/actions.ts';
import { hashIdempotencyKey, pseudonym } from '../privacy/pseudonym.ts';
import { checkCode, sendCode } from './codes.ts';
import type { Receipt } from './erase-account.ts';
import { eraseAskerTx } from './erase-asker.ts';
import { findAuditByKey } from './queries.ts';

function address(raw: string): string {
  const email = normaliseEmail(raw);
  if (!email) throw badRequest('Enter the e-mail address you asked your questions with, like name@example.com.', 'invalid_email');
  return email;
}

export async function requestAskerErasure(ctx: AppContext, rawEmail: string) {
  return sendCode(ctx, { purpose: 'asker_erasure', email: address(rawEmail), userId: null });
}

export async function confirmAskerErasure(
  ctx: AppContext,
  input: { email: string; code: string; idempotencyKey: string | null },
): Promise<Receipt & { replayed: boolean }> {
  const email = address(input.email);
  const code = input.code.trim();
  if (!/^\d{6}$/.test(code)) throw badRequest('The code is the 6 digits from the confirmation e-mail.', 'invalid_code');
  // Without a key, a retry is recognised by the (single-use) code it carries.
  const keyHash = hashIdempotencyKey(input.idempotencyKey ? `key:${input.idempotencyKey}` : `code:${email}:${code}`);
  const subject = pseudonym(ctx.config.privacy.pseudonymSecret, 'payer', email);
  const replay = async () => {
    const done = await findAuditByKey(ctx.db, keyHash, subject);
    if (!done) return null;
    const counts = (typeof done.counts === 'string' ? JSON.parse(done.counts) : done.counts) as Record<string, number>;
    return { deletion_id: done.deletion_id, counts, replayed: true };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  await checkCode(ctx, 'asker_erasure', email, code);
  const erased = await ctx.db.transaction().execute((trx) => eraseAskerTx(ctx, trx, { email, code, keyHash, now: ctx.now() }));
  if (!erased) {
    const raced = await replay();
    if (raced) return raced;
    throw gone('This code has expired or was used. Ask for a new code.', 'code_expired');
  }
  ctx.log.info({ deletionId: erased.deletion_id, counts: erased.counts }, 'asker data erased');
  for (const id of erased.releasePaymentIds) {
    await runPaymentAction(ctx, id).catch((err) => ctx.log.warn({ err, paymentId: id }, 'hold release left to the payment-actions job'));
  }
  return { deletion_id: erased.deletion_id, counts: erased.counts, replayed: false };
}
