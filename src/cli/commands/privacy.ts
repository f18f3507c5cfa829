import { fileDeleteJobKey, listPendingItems, outboxStats } from '../../file-deletion/queries.ts';
import { jobsOfKeys } from '../../jobs/operator.ts';
import { type Command, intOption, withDatabase } from '../command.ts';

export const privacyOutbox: Command = {
  name: 'privacy outbox',
  summary:
    'Show the deletion outbox: files and videos of erased rows not deleted yet, the oldest pending age and the failing items with their last error.',
  json: true,
  options: { limit: { type: 'string' } },
  optionHelp: ['--limit N           list at most N pending items (default 20)'],
  async run({ config, values, out }) {
    const cfg = config();
    const limit = intOption(values, 'limit') ?? 20;
    const now = new Date();
    const { stats, items, jobs } = await withDatabase(cfg, 'quickchat privacy outbox', async (d) => {
      const pending = await listPendingItems(d.db, limit);
      const keys = pending.map((i) => fileDeleteJobKey(i.id));
      return { stats: await outboxStats(d.db, now), items: pending, jobs: await jobsOfKeys(d.db, 'file-delete', keys) };
    });
    const oldestAgeSeconds = stats.oldest_pending_at ? Math.round((now.getTime() - stats.oldest_pending_at.getTime()) / 1000) : 0;
    const rows = items.map((i) => {
      const job = jobs.get(fileDeleteJobKey(i.id));
      return {
        id: i.id,
        erasureId: i.erasure_id,
        target: i.target,
        key: i.object_key,
        attempts: i.attempts,
        lastError: i.last_error,
        // created/retry: runs at startAfter; failed: out of retries (jobs retry); none: not queued yet.
        job: job?.state ?? null,
        nextAttemptAt: job && (job.state === 'created' || job.state === 'retry') ? job.startAfter.toISOString() : null,
        createdAt: i.created_at.toISOString(),
      };
    });
    if (values.json) {
      out(
        JSON.stringify(
          {
            pending: stats.pending,
            failing: stats.failing,
            oldestPendingAgeSeconds: oldestAgeSeconds,
            doneLast24h: stats.done_last_24h,
            failedAttempts: stats.failed_attempts,
            items: rows,
          },
          null,
          2,
        ),
      );
      return stats.failing > 0 ? 1 : 0;
    }
    out(
      `${stats.pending} pending (${stats.failing} failing), oldest ${oldestAgeSeconds} s old; ${stats.done_last_24h} done in the last 24 h`,
    );
    for (const r of rows) {
      out(
        `#${r.id} ${r.target.padEnd(14)} ${r.key}  attempts ${r.attempts}  ${r.nextAttemptAt ? `next ${r.nextAttemptAt}` : `job ${r.job ?? 'not queued'}`}${r.lastError ? `  error: ${r.lastError}` : ''}`,
      );
    }
    if (!stats.pending) out('Nothing to delete: every erased file is gone.');
    else
      out(
        'The file-delete queue works these (quickchat jobs run file-deletion-outbox to run them now; jobs retry <id> for one out of retries).',
      );
    return stats.failing > 0 ? 1 : 0;
  },
};
