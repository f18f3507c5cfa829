import type { Logger } from 'pino';

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
 * nothing more than running it once, so retries and overlapping triggers are safe. `C` is the
 * context it runs with (the app's AppContext): a parameter, so this folder imports no app type.
 */
export interface JobDefinition<C> {
  name: string;
  summary: string;
  /** Default cron (UTC); null = only on demand. Overridable per deployment with JOB_SCHEDULES. */
  cron: string | null;
  run(ctx: C, opts: JobRunOptions): Promise<JobSummary>;
}
