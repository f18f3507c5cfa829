import type { AppContext } from '../context.ts';
import { fileDeletionOutboxJob } from '../file-deletion/service.ts';
import type { JobDefinition } from '../job-queue/types.ts';
import { holdWarningsJob } from '../payments/hold-warning.ts';
import { paymentActionsJob } from '../payments/job.ts';
import { privacyRetentionJob } from '../privacy/retention.ts';
import { dailyDigest } from './daily-digest.ts';
import { expireOffersJob, expireSlaJob } from './expire.ts';
import { cleanupMediaJob, deliverEmailsJob } from './wrappers.ts';

/** Every background job, registered once: the scheduler, `jobs list` and `jobs run` read this. */
export const JOBS: readonly JobDefinition<AppContext>[] = [
  expireOffersJob,
  expireSlaJob,
  paymentActionsJob,
  deliverEmailsJob,
  cleanupMediaJob,
  dailyDigest,
  fileDeletionOutboxJob,
  privacyRetentionJob,
  holdWarningsJob,
];

export function findJob(name: string): JobDefinition<AppContext> | undefined {
  return JOBS.find((j) => j.name === name);
}

/** The effective cron of a job: JOB_SCHEDULES override, else its default; null = not scheduled. */
export function scheduleOf(def: JobDefinition<AppContext>, overrides: Readonly<Record<string, string>>): string | null {
  const o = overrides[def.name];
  if (o === 'off') return null;
  return o ?? def.cron;
}
