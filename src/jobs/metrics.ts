import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../db/index.ts';
import { type JobStats, selectJobStats } from '../job-queue/queries.ts';
import { JOBS } from './registry.ts';

type Pick = (s: JobStats | undefined) => number;

/** Job health read from job_run at scrape time, so every instance reports the cluster's truth. */
export function registerJobMetrics(registry: Registry, db: Db): void {
  // prom-client collects all metrics of a scrape concurrently: share one query between them.
  let pending: Promise<Map<string, JobStats>> | null = null;
  const load = () => {
    pending ??= selectJobStats(db)
      .then((rows) => new Map(rows.map((s) => [s.job, s])))
      .finally(() => {
        pending = null;
      });
    return pending;
  };
  const gauge = (name: string, help: string, pick: Pick) =>
    new Gauge({
      name,
      help,
      labelNames: ['job'],
      registers: [registry],
      async collect() {
        const stats = await load();
        for (const { name: job } of JOBS) this.set({ job }, pick(stats.get(job)));
      },
    });
  gauge('job_last_success_timestamp_seconds', 'End of the last successful run (0 = never)', (s) =>
    s?.last_success_at ? s.last_success_at.getTime() / 1000 : 0,
  );
  gauge('job_last_duration_seconds', 'Duration of the last finished run', (s) => (s?.last_duration_ms ?? 0) / 1000);
  gauge('job_failures_total', 'Runs that failed (each retry counts)', (s) => s?.failures ?? 0);
  gauge('job_dead_letter_total', 'Jobs that failed every retry', (s) => s?.dead ?? 0);
}
