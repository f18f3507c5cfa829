import type { Logger } from 'pino';
import type { AppContext } from '../context.ts';
import { executeCandidate, finishPending } from './cleanup-exec.ts';
import { withCleanupLock } from './cleanup-lock.ts';
import { type PlanTotals, planCleanup } from './cleanup-plan.ts';
import {
  countOutcomes,
  deleteCandidates,
  deleteOldMagicLinkTokens,
  findUnfinishedRun,
  insertRun,
  listCandidates,
  listLog,
  nextOpenCandidates,
  setLogState,
  updateRun,
} from './cleanup-queries.ts';

export interface CleanupOptions {
  /** false (default) = dry run: plan and report, delete nothing. */
  apply?: boolean;
  /** At most this many deletions in this run. */
  limit?: number;
  /** Delete even when the circuit breaker trips. */
  force?: boolean;
  log?: Logger;
  signal?: AbortSignal;
  /** The breaker allows max(1 % of all objects, this) deletions; 1,000 unless a test lowers it. */
  breakerFloor?: number;
  /** Continue an unfinished apply run whose runner died (default true). */
  resume?: boolean;
  batchSize?: number;
}

export interface CleanupReport {
  runId: number;
  mode: 'dry_run' | 'apply';
  status: 'completed' | 'refused_breaker' | 'interrupted';
  resumed: boolean;
  counts: {
    mediaRows: number;
    storageObjects: number;
    videos: number;
    candidates: number;
    deleted: number;
    skipped: Record<string, number>;
    tooYoung: number;
    unknownKeys: number;
    purged: number;
    magicLinkTokens: number;
    /** Items whose transaction hit a deadlock or lost a race; left for a later run. */
    errors: number;
  };
  bytes: { candidates: number; deleted: number };
  breaker: { threshold: number; planned: number; tripped: boolean; forced: boolean };
  keys: { candidates: string[]; unknown: string[] };
}

const DAY = 86_400_000;
const QUARANTINE_DAYS = 7;

/**
 * The orphaned-media cleanup (job `cleanup-media`, CLI `media cleanup`). Plans candidates, checks
 * the circuit breaker, executes each candidate under row locks (quarantine first), purges
 * quarantine older than 7 days and old magic-link tokens. All state lives in PostgreSQL: a run
 * killed at any point is resumed by the next apply and ends in the same state. One apply runs at a
 * time (withCleanupLock: CleanupBusyError otherwise); dry runs delete nothing and need no lock.
 */
export function cleanupMedia(ctx: AppContext, opts: CleanupOptions = {}): Promise<CleanupReport> {
  return opts.apply ? withCleanupLock(ctx, () => runCleanup(ctx, opts)) : runCleanup(ctx, opts);
}

async function runCleanup(ctx: AppContext, opts: CleanupOptions): Promise<CleanupReport> {
  const log = opts.log ?? ctx.log;
  const apply = opts.apply ?? false;
  const batch = opts.batchSize ?? 500;
  const now = ctx.now();
  const cutoff = new Date(now.getTime() - ctx.config.media.cleanupGraceHours * 3_600_000);
  // Holding the lock, any unfinished apply run is one whose runner died or was interrupted.
  const resumed = apply && opts.resume !== false ? await findUnfinishedRun(ctx.db) : undefined;
  const run =
    resumed ?? (await insertRun(ctx.db, apply ? 'apply' : 'dry_run', { limit: opts.limit ?? null, force: Boolean(opts.force) }, now));
  const runOpts = (resumed?.options ?? {}) as { limit?: number | null; force?: boolean };
  const limit = resumed ? (runOpts.limit ?? undefined) : opts.limit;
  const force = resumed ? Boolean(runOpts.force) : Boolean(opts.force);
  const saved = (resumed?.report ?? {}) as Partial<{ plan: PlanTotals }>;
  log.info({ runId: run.id, apply, resumed: Boolean(resumed), phase: run.phase }, 'media cleanup started');

  let plan: PlanTotals;
  if (run.phase === 'plan') {
    await deleteCandidates(ctx.db, run.id); // a plan cut short is simply redone
    plan = await planCleanup(ctx, run.id, cutoff, batch, opts.signal);
    if (opts.signal?.aborted) return finish(ctx, run.id, 'interrupted', apply, Boolean(resumed), plan, 0, 0, null);
    run.phase = 'execute';
    await updateRun(ctx.db, run.id, { phase: 'execute', report: { plan } });
  } else {
    plan = saved.plan ?? { mediaRows: 0, storageObjects: 0, videos: 0, candidates: 0, candidateBytes: 0, unknownKeys: [], tooYoung: 0 };
  }

  const total = plan.mediaRows + plan.storageObjects + plan.videos;
  const threshold = Math.max(Math.ceil(total * 0.01), opts.breakerFloor ?? 1000);
  const planned = Math.min(plan.candidates, limit ?? Number.POSITIVE_INFINITY);
  const breaker = { threshold, planned, tripped: planned > threshold, forced: force && planned > threshold };
  if (!apply) return finish(ctx, run.id, 'completed', apply, false, plan, 0, 0, breaker);
  if (breaker.tripped && !force) {
    log.warn({ runId: run.id, planned, threshold }, 'media cleanup refused: circuit breaker (use --force after checking the dry run)');
    return finish(ctx, run.id, 'refused_breaker', apply, Boolean(resumed), plan, 0, 0, breaker);
  }

  let purged = 0;
  let tokens = 0;
  let errors = 0;
  const phase = () => run.phase;
  if (phase() === 'execute') {
    await finishPending(ctx, run.id);
    let deleted = (await countOutcomes(ctx.db, run.id)).find((o) => o.outcome === 'deleted')?.n ?? 0;
    let after = 0;
    outer: for (;;) {
      const next = await nextOpenCandidates(ctx.db, run.id, after, batch);
      if (!next.length) break;
      for (const c of next) {
        after = c.id;
        if (limit !== undefined && deleted >= limit) break outer;
        if (opts.signal?.aborted) return finish(ctx, run.id, 'interrupted', apply, Boolean(resumed), plan, 0, 0, breaker);
        try {
          const outcome = await executeCandidate({ ctx, runId: run.id, cutoff }, c.id);
          if (outcome === 'deleted') deleted++;
        } catch (err) {
          // A deadlock or a concurrent attach aborts only this item's transaction: nothing was
          // deleted (live copies go only after a commit); the item stays open for the next run.
          if (!isRetryable(err)) throw err;
          errors++;
          log.warn({ err, runId: run.id, candidateId: c.id }, 'cleanup item left for a later run');
        }
      }
      await updateRun(ctx.db, run.id, { cursor: { after } });
    }
    run.phase = 'purge';
    await updateRun(ctx.db, run.id, { phase: 'purge' });
  }
  if (phase() === 'purge') {
    purged = await purgeQuarantine(ctx, opts.signal);
    run.phase = 'tokens';
    await updateRun(ctx.db, run.id, { phase: 'tokens' });
  }
  if (phase() === 'tokens') tokens = await deleteOldMagicLinkTokens(ctx.db, ctx.now(), true);
  return finish(ctx, run.id, 'completed', apply, Boolean(resumed), plan, purged, tokens, breaker, errors);
}

/** Deadlock, serialization failure, lock timeout, or the FK of an attach that won the race. */
function isRetryable(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001' || code === '55P03' || code === '23503';
}

/** Deletes quarantine copies (and quarantined videos) older than 7 days, from every run. */
async function purgeQuarantine(ctx: AppContext, signal?: AbortSignal): Promise<number> {
  const before = new Date(ctx.now().getTime() - QUARANTINE_DAYS * DAY);
  let n = 0;
  for (;;) {
    const rows = await listLog(ctx.db, { state: 'quarantined', createdBefore: before }, 200);
    if (!rows.length || signal?.aborted) return n;
    for (const r of rows) {
      if (r.target === 'video') await ctx.video.delete(r.object_key);
      else if (r.quarantine_key) await ctx.storage.delete(r.quarantine_key);
      await setLogState(ctx.db, r.id, 'purged', ctx.now());
      n++;
    }
  }
}

async function finish(
  ctx: AppContext,
  runId: number,
  status: CleanupReport['status'],
  apply: boolean,
  resumed: boolean,
  plan: PlanTotals,
  purged: number,
  magicLinkTokens: number,
  breaker: CleanupReport['breaker'] | null,
  errors = 0,
): Promise<CleanupReport> {
  const outcomes = await countOutcomes(ctx.db, runId);
  const skipped: Record<string, number> = {};
  for (const o of outcomes) if (o.outcome?.startsWith('skipped_')) skipped[o.outcome.slice(8)] = o.n;
  const deleted = outcomes.find((o) => o.outcome === 'deleted');
  const candidates = await listCandidates(ctx.db, runId, 1000);
  const report: CleanupReport = {
    runId,
    mode: apply ? 'apply' : 'dry_run',
    status,
    resumed,
    counts: {
      mediaRows: plan.mediaRows,
      storageObjects: plan.storageObjects,
      videos: plan.videos,
      candidates: plan.candidates,
      deleted: deleted?.n ?? 0,
      skipped,
      tooYoung: plan.tooYoung,
      unknownKeys: plan.unknownKeys.length,
      purged,
      magicLinkTokens: apply ? magicLinkTokens : await deleteOldMagicLinkTokens(ctx.db, ctx.now(), false),
      errors,
    },
    bytes: { candidates: plan.candidateBytes, deleted: deleted?.bytes ?? 0 },
    breaker: breaker ?? { threshold: 0, planned: 0, tripped: false, forced: false },
    keys: { candidates: candidates.map((c) => c.object_key ?? `media_asset/${c.media_asset_id}`), unknown: plan.unknownKeys },
  };
  const done = status !== 'interrupted';
  await updateRun(ctx.db, runId, {
    status: done ? status : 'interrupted',
    phase: done ? 'done' : undefined,
    report: { plan, result: report },
    finished_at: done ? ctx.now() : null,
  });
  (ctx.log ?? console).info({ runId, status, deleted: report.counts.deleted, candidates: plan.candidates }, 'media cleanup finished');
  return report;
}
