import type { AppContext } from '../context.ts';
import type { JobDefinition, JobSummary } from '../job-queue/types.ts';
import { runDuePaymentActions } from './actions.ts';

/**
 * The operator's lever over the payment-action queue (whose workers retry on their own): gives
 * every unconfirmed capture or release its job and works the due ones now.
 */
export const paymentActionsJob: JobDefinition<AppContext> = {
  name: 'payment-actions',
  summary: 'Queue a job for every unconfirmed payment capture or release and run the due ones now',
  cron: null,
  async run(ctx, { dryRun }): Promise<JobSummary> {
    if (dryRun) {
      const due = await ctx.db
        .selectFrom('payment')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('pending_action', 'is not', null)
        .executeTakeFirstOrThrow();
      return { items: Number(due.n), failed: 0 };
    }
    const r = await runDuePaymentActions(ctx, { limit: 500 });
    return { items: r.due, failed: r.abandoned, done: r.done, retryScheduled: r.retry_scheduled, abandoned: r.abandoned };
  },
};
