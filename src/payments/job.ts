import type { JobDefinition, JobSummary } from '../jobs/types.ts';
import { runDuePaymentActions } from './actions.ts';

/**
 * Retries the provider calls that did not go through right after their commit (a capture after
 * an answer, a release after a decline, refund or expiry), until the provider confirms.
 */
export const paymentActionsJob: JobDefinition = {
  name: 'payment-actions',
  summary: 'Retry pending payment captures and releases at the payment provider',
  cron: '*/5 * * * *',
  async run(ctx, { dryRun }): Promise<JobSummary> {
    if (dryRun) {
      const due = await ctx.db
        .selectFrom('payment')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('pending_action', 'is not', null)
        .where('action_due_at', '<=', ctx.now())
        .executeTakeFirstOrThrow();
      return { items: Number(due.n), failed: 0 };
    }
    const r = await runDuePaymentActions(ctx, { limit: 500 });
    return { items: r.due, failed: r.abandoned, done: r.done, retryScheduled: r.retry_scheduled, abandoned: r.abandoned };
  },
};
