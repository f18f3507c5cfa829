import type { AppContext } from '../context.ts';
import { PermanentMailError } from './mailer.ts';
import { claimDueEmails, failAbandonedEmails, markEmailFailed, markEmailRetry, markEmailSent } from './queries.ts';

/** After this many attempts a message is `failed` for good. */
export const MAX_EMAIL_ATTEMPTS = 8;
/** How long a claimed message may take to send before its claim counts as abandoned. */
export const CLAIM_LEASE_MS = 10 * 60 * 1000;
/** Templates whose bodies hold secrets: erased from the table once delivered. */
const SENSITIVE_TEMPLATES = new Set(['magic_link']);

/** 1 min, 2 min, 4 min … capped at 6 h: the delay before attempt `attempts + 1`. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 6 * 60 * 60 * 1000);
}

export interface DeliverySummary {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  /** Claims of an earlier run that never finished, now marked failed. */
  abandoned: number;
}

/**
 * Works the email_outbox table once: claims due messages, sends each through ctx.mailer and records
 * the result. Idempotent and safe to run on several instances at once; a message is sent at most once.
 */
export async function deliverPendingEmails(ctx: AppContext, opts: { limit?: number } = {}): Promise<DeliverySummary> {
  const summary: DeliverySummary = { claimed: 0, sent: 0, retried: 0, failed: 0, abandoned: 0 };
  summary.abandoned = await failAbandonedEmails(ctx.db, ctx.now());
  const now = ctx.now();
  const claimed = await claimDueEmails(ctx.db, now, new Date(now.getTime() + CLAIM_LEASE_MS), opts.limit ?? 50);
  summary.claimed = claimed.length;
  for (const row of claimed) {
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
      summary.sent++;
    } catch (err) {
      const message = (err as Error).message?.slice(0, 1000) || String(err);
      if (err instanceof PermanentMailError || row.attempts >= MAX_EMAIL_ATTEMPTS) {
        await markEmailFailed(ctx.db, row.id, message);
        summary.failed++;
        ctx.log.error({ outboxId: row.id, template: row.template, attempts: row.attempts, err: message }, 'e-mail failed for good');
      } else {
        await markEmailRetry(ctx.db, row.id, message, new Date(ctx.now().getTime() + retryDelayMs(row.attempts)));
        summary.retried++;
        ctx.log.warn({ outboxId: row.id, template: row.template, attempts: row.attempts, err: message }, 'e-mail will be retried');
      }
    }
  }
  return summary;
}

/**
 * Runs deliverPendingEmails every `intervalMs` inside the server process (one run at a time).
 * A later issue moves this onto the job queue; the function itself stays the same.
 */
export function startEmailWorker(ctx: AppContext, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = deliverPendingEmails(ctx)
      .then((s) => {
        if (s.claimed || s.abandoned) ctx.log.info({ ...s }, 'e-mail outbox worked');
      })
      .catch((err) => ctx.log.error({ err }, 'e-mail outbox run failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
