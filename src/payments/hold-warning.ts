import type { AppContext } from '../context.ts';
import { queueEmail } from '../email/outbox.ts';
import type { JobDefinition, JobSummary } from '../job-queue/types.ts';
import { holdExpiringEmail } from './hold-emails.ts';
import { claimHoldWarning, expertOfQuestion, selectHoldsEndingSoon } from './hold-queries.ts';

const WARN_BEFORE_MS = 24 * 3600_000;
const BATCH = 500;

/**
 * The expert of an unanswered question hears once, a day before its card hold ends, that the
 * answer must come before then. The claim of `hold_warning_sent_at` and the e-mail commit together,
 * so overlapping runs or a retry never send it twice.
 */
export const holdWarningsJob: JobDefinition<AppContext> = {
  name: 'hold-expiry-warnings',
  summary: 'E-mail the expert once when the card hold of an unanswered question ends within 24 hours',
  cron: '5 * * * *',
  async run(ctx, { log, signal, dryRun }): Promise<JobSummary> {
    const now = ctx.now();
    const due = await selectHoldsEndingSoon(ctx.db, now, new Date(now.getTime() + WARN_BEFORE_MS), BATCH);
    const summary = { items: due.length, failed: 0, warned: 0 };
    if (dryRun) return summary;
    for (const d of due) {
      signal.throwIfAborted();
      try {
        const sent = await ctx.db.transaction().execute(async (trx) => {
          const claimed = await claimHoldWarning(trx, d.payment_id, now);
          const expert = claimed?.capture_before ? await expertOfQuestion(trx, d.question_id) : undefined;
          if (!claimed?.capture_before || !expert) return false;
          const mail = holdExpiringEmail({
            expertName: expert.name,
            title: expert.title,
            captureBefore: claimed.capture_before,
            dashboardUrl: `${ctx.config.clientOrigin}/dashboard/inbox#question-${d.question_id}`,
          });
          await queueEmail(
            ctx.jobs,
            trx,
            { template: 'hold-expiring', to: expert.email, dedupeKey: `hold-expiring:${d.question_id}`, ...mail },
            now,
          );
          return true;
        });
        if (sent) summary.warned++;
      } catch (err) {
        summary.failed++;
        log.warn({ err, paymentId: d.payment_id }, 'hold expiry warning failed; retried next run');
      }
    }
    return summary;
  },
};
