import type { AppContext } from '../context.ts';
import { deliverPendingEmails, requeueUnfinishedEmails } from '../email/deliver.ts';
import type { JobDefinition, JobSummary } from '../job-queue/types.ts';
import { type CleanupReport, cleanupMedia } from '../media/cleanup.ts';
import { CleanupBusyError } from '../media/cleanup-lock.ts';

/**
 * The scheduled media cleanup applies (the CLI defaults to a dry run); the circuit breaker still
 * refuses an unusually large deletion, and a refused run counts as failed so the admin is alerted.
 */
export const cleanupMediaJob: JobDefinition<AppContext> = {
  name: 'cleanup-media',
  summary: 'Delete orphaned media rows, stored objects and videos past the grace period (quarantined 7 days), and old magic-link tokens.',
  cron: '0 3 * * *',
  async run(ctx, { log, signal, dryRun }): Promise<JobSummary> {
    let r: CleanupReport;
    try {
      r = await cleanupMedia(ctx, { apply: !dryRun, log, signal });
    } catch (err) {
      // An operator's `media cleanup --apply` is running: that run does this one's work.
      if (err instanceof CleanupBusyError) return { items: 0, failed: 0, status: 'busy' };
      throw err;
    }
    const refused = r.status === 'refused_breaker';
    return {
      items: r.counts.candidates,
      failed: r.counts.errors + (refused ? Math.max(1, r.counts.candidates) : 0),
      deleted: r.counts.deleted,
      purged: r.counts.purged,
      magicLinkTokens: r.counts.magicLinkTokens,
      unknownKeys: r.counts.unknownKeys,
      status: r.status,
      runId: r.runId,
    };
  },
};

/**
 * E-mail goes out through the email-deliver queue's workers; this on-demand job is the operator's
 * lever: it gives unfinished outbox rows their delivery job and works the due part of the queue now.
 */
export const deliverEmailsJob: JobDefinition<AppContext> = {
  name: 'deliver-emails',
  summary: 'Queue a delivery job for every unfinished outbox message and send the due ones now.',
  cron: null,
  async run(ctx, { dryRun }): Promise<JobSummary> {
    if (dryRun) {
      const due = await ctx.db
        .selectFrom('email_outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      return { items: Number(due.n), failed: 0 };
    }
    const requeued = await requeueUnfinishedEmails(ctx);
    const s = await deliverPendingEmails(ctx, { limit: 200 });
    return { items: s.sent + s.failed + s.retried + s.abandoned, requeued, ...s };
  },
};
