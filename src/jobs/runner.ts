import type { AppContext } from '../context.ts';
import { queueEmail } from '../email/outbox.ts';
import { finishJobRun, insertJobRun } from '../job-queue/queries.ts';
import type { JobDefinition, JobSummary } from '../job-queue/types.ts';
import { jobAlertEmail } from './alert-email.ts';

export interface RunJobOptions {
  trigger: 'schedule' | 'cli' | 'queue';
  dryRun?: boolean;
  attempt?: number;
  signal?: AbortSignal;
}

/** A run that processed items but failed on at least half of them is an operational problem. */
function mostlyFailed(summary: JobSummary): boolean {
  return summary.items > 0 && summary.failed / summary.items >= 0.5;
}

/**
 * Runs one job, records the run, logs its counts and alerts ADMIN_EMAIL (e-mail 9) when it throws
 * or when half or more of its items failed. Rethrows so that the queue retries it.
 */
export async function runJob(ctx: AppContext, def: JobDefinition<AppContext>, opts: RunJobOptions): Promise<JobSummary> {
  const log = ctx.log.child({ job: def.name, trigger: opts.trigger });
  const dryRun = opts.dryRun ?? false;
  const started = ctx.now();
  const runId = await insertJobRun(ctx.db, {
    job: def.name,
    trigger: opts.trigger,
    dryRun,
    attempt: opts.attempt ?? 0,
    startedAt: started,
  });
  const t0 = performance.now();
  try {
    const summary = await def.run(ctx, { log, signal: opts.signal ?? new AbortController().signal, dryRun });
    const ms = Math.round(performance.now() - t0);
    await finishJobRun(ctx.db, runId, { status: 'succeeded', summary, finishedAt: new Date(started.getTime() + ms) });
    log.info({ ...summary, ms, dryRun }, `job ${def.name} done`);
    if (!dryRun && mostlyFailed(summary)) await alert(ctx, def.name, `${summary.failed} of ${summary.items} items failed`, runId);
    return summary;
  } catch (err) {
    const message = (err as Error).message;
    const ms = Math.round(performance.now() - t0);
    await finishJobRun(ctx.db, runId, { status: 'failed', error: message, finishedAt: new Date(started.getTime() + ms) });
    log.error({ err, ms }, `job ${def.name} failed`);
    if (!dryRun) await alert(ctx, def.name, message, runId);
    throw err;
  }
}

async function alert(ctx: AppContext, job: string, problem: string, runId: number): Promise<void> {
  if (!ctx.config.adminEmail) return;
  const mail = jobAlertEmail({ job, problem, runId, at: ctx.now() });
  // One alert per run: a retried alert insert never doubles the message.
  await queueEmail(
    ctx.jobs,
    ctx.db,
    { template: 'job-alert', to: ctx.config.adminEmail, dedupeKey: `job-alert:${runId}`, ...mail },
    ctx.now(),
  );
}
