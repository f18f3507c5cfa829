import type { Logger } from 'pino';
import type { AppContext } from '../context.ts';

/** What every run reports: `items` looked at, `failed` of them; jobs add their own counts. */
export interface JobSummary {
  items: number;
  failed: number;
  [count: string]: number | string | boolean;
}

interface JobRunOptions {
  log: Logger;
  signal: AbortSignal;
  /** Report what would be done, change nothing. */
  dryRun: boolean;
}

/**
 * A background job: an idempotent function. Running it twice for the same moment changes
 * nothing more than running it once, so retries and overlapping triggers are safe.
 */
export interface JobDefinition {
  name: string;
  summary: string;
  /** Default cron (UTC); null = only on demand. Overridable per deployment with JOB_SCHEDULES. */
  cron: string | null;
  run(ctx: AppContext, opts: JobRunOptions): Promise<JobSummary>;
}
