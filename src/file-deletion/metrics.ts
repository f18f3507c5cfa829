import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../db/index.ts';
import { type OutboxStats, outboxStats } from './queries.ts';

/** Deletion-outbox health, read from the table at scrape time (the cluster's truth). */
export function registerFileDeletionMetrics(registry: Registry, db: Db, now: () => Date): void {
  let pending: Promise<OutboxStats> | null = null;
  const load = () => {
    pending ??= outboxStats(db, now()).finally(() => {
      pending = null;
    });
    return pending;
  };
  const gauge = (name: string, help: string, pick: (s: OutboxStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(pick(await load()));
      },
    });
  gauge('file_deletion_outbox_pending', 'Files and videos of erased rows not deleted yet', (s) => s.pending);
  gauge('file_deletion_outbox_failing', 'Pending deletions whose last attempt failed', (s) => s.failing);
  gauge('file_deletion_outbox_oldest_pending_age_seconds', 'Age of the oldest pending deletion (0 = none)', (s) =>
    s.oldest_pending_at ? Math.max(0, (now().getTime() - s.oldest_pending_at.getTime()) / 1000) : 0,
  );
  gauge('file_deletion_outbox_failed_attempts', 'Failed delete attempts over the items still recorded', (s) => s.failed_attempts);
}
