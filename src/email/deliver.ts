import type { AppContext } from '../context.ts';
import type { Db } from '../db/index.ts';
import { drainQueue } from '../job-queue/drain.ts';
import { maxAttempts } from '../job-queue/queues.ts';
import { PermanentMailError } from '../mailer/mailer.ts';
import { sendDeliveryJobs } from './outbox.ts';
import {
  claimEmail,
  markEmailFailed,
  markEmailRetry,
  markEmailSent,
  revivePendingEmail,
  selectEmailStatus,
  selectUnfinishedEmailIds,
} from './queries.ts';

/** After this many attempts a message is `failed` for good: the email-deliver queue's own limit. */
export const MAX_EMAIL_ATTEMPTS = maxAttempts('email-deliver');
/** Templates whose bodies hold secrets: erased from the table once delivered. */
const SENSITIVE_TEMPLATES = new Set(['magic_link']);

/** Thrown for a temporary failure: the queue retries the job with back-off. */
class RetryEmailError extends Error {}

export type DeliveryOutcome = 'sent' | 'failed' | 'abandoned' | 'skipped';

/**
 * Delivers one outbox message: the email-deliver queue's handler. Claiming the row (pending →
 * sending) before the send is what makes delivery at-most-once: a job that finds its row still
 * `sending` belongs to an attempt that died mid-send, which may have gone out, so it is failed for
 * good instead of sent twice. Throws RetryEmailError on a temporary failure.
 */
export async function deliverEmail(ctx: AppContext, outboxId: number): Promise<DeliveryOutcome> {
  const row = await claimEmail(ctx.db, outboxId);
  if (!row) {
    const status = await selectEmailStatus(ctx.db, outboxId);
    if (status !== 'sending') return 'skipped'; // sent, failed, or erased with its owner
    await markEmailFailed(
      ctx.db,
      outboxId,
      'Delivery was interrupted before its result was recorded; not retried so that it is never sent twice.',
    );
    ctx.log.error({ outboxId }, 'e-mail delivery was interrupted; marked failed');
    return 'abandoned';
  }
  try {
    const { messageId } = await ctx.mailer.send({
      id: row.id,
      template: row.template,
      to: row.to_address,
      subject: row.subject,
      text: row.text_body,
      html: row.html_body,
    });
    await markEmailSent(ctx.db, row.id, messageId, ctx.now(), SENSITIVE_TEMPLATES.has(row.template));
    return 'sent';
  } catch (err) {
    const message = (err as Error).message?.slice(0, 1000) || String(err);
    const log = { outboxId: row.id, template: row.template, attempts: row.attempts, err: message };
    if (err instanceof PermanentMailError || row.attempts >= MAX_EMAIL_ATTEMPTS) {
      await markEmailFailed(ctx.db, row.id, message);
      ctx.log.error(log, 'e-mail failed for good');
      return 'failed';
    }
    await markEmailRetry(ctx.db, row.id, message);
    ctx.log.warn(log, 'e-mail will be retried');
    throw new RetryEmailError(message);
  }
}

/**
 * An operator's retry of a failed message: back to pending with a fresh count of attempts. A
 * message that went out, or was erased with its owner, is not sent again.
 */
export async function reviveEmail(trx: Db, outboxId: number): Promise<string | null> {
  const status = await selectEmailStatus(trx, outboxId);
  if (!status) return `e-mail ${outboxId} no longer exists (erased with its recipient's account).`;
  if (status === 'sent') return `e-mail ${outboxId} was already sent.`;
  await revivePendingEmail(trx, outboxId);
  return null;
}

/** A message the queue gave up on (every retry expired): it must not stay `pending` forever. */
export async function emailDeadLettered(ctx: AppContext, outboxId: number): Promise<void> {
  await markEmailFailed(ctx.db, outboxId, 'The delivery job failed every retry.', ['pending', 'sending']);
}

export interface DeliverySummary {
  sent: number;
  retried: number;
  failed: number;
  abandoned: number;
}

/**
 * Works the due part of the email-deliver queue once, in this process: `jobs run deliver-emails`
 * and tests use it; servers run the same handler through pg-boss workers.
 */
export async function deliverPendingEmails(ctx: AppContext, opts: { limit?: number } = {}): Promise<DeliverySummary> {
  const summary: DeliverySummary = { sent: 0, retried: 0, failed: 0, abandoned: 0 };
  await drainQueue(ctx.jobs, 'email-deliver', opts.limit ?? 200, async ({ outboxId }) => {
    try {
      const outcome = await deliverEmail(ctx, outboxId);
      if (outcome !== 'skipped') summary[outcome]++;
    } catch (err) {
      if (err instanceof RetryEmailError) summary.retried++;
      throw err;
    }
  });
  return summary;
}

/**
 * Gives every unfinished message a delivery job: rows queued before e-mail moved onto pg-boss, or
 * written by hand. Idempotent: a message that has its job keeps that one (the id is derived from
 * the outbox id). Workers run it at start; `jobs run deliver-emails` too.
 */
export async function requeueUnfinishedEmails(ctx: AppContext): Promise<number> {
  const ids = await selectUnfinishedEmailIds(ctx.db);
  await sendDeliveryJobs(ctx.jobs, ctx.db, ids);
  return ids.length;
}
