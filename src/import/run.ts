/**
 * The import loop: table by table in dependency order, page by page. Each page is mapped, then
 * written with its rejects, issues and the table's cursor in one short transaction, so a run
 * killed at any moment resumes after the last committed page and never counts a row twice.
 * A dry run does the same inside one transaction that is rolled back at the end.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { id as legacyId } from './convert.ts';
import type { Source, SourcePage } from './source.ts';
import { XANO_SPECS } from './tables.ts';
import { type LegacyRow, NOT_IMPORTED, type TableSpec } from './types.ts';
import { moveSequence, writeRows } from './writer.ts';

export interface ProgressEvent {
  table: string;
  done: number;
  total: number;
  rowsPerSec: number;
  etaMs: number | null;
  finished: boolean;
}

export interface ImportOptions {
  source: Source;
  dryRun?: boolean;
  /** Delta sync: rows changed since this time, or since the start of the last finished pass. */
  since?: Date | 'last' | null;
  perPage?: number;
  now?: () => Date;
  onProgress?: (e: ProgressEvent) => void;
  specs?: TableSpec<never>[];
}

interface TableReport {
  table: string;
  target: string;
  since: string | null;
  resumedFromPage: number | null;
  sourceTotal: number;
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  repairs: Record<string, number>;
  rejectReasons: Record<string, number>;
  issues: Record<string, number>;
}

export interface ImportReport {
  source: string;
  dryRun: boolean;
  seconds: number;
  tables: TableReport[];
  notImported: { table: string; reason: string }[];
}

class DryRunRollback extends Error {}

/** The row's key in the source: its id, or `_key` where the source orders rows by a surrogate id (uuid tables). */
export const legacyKey = (r: LegacyRow) => String(r._key ?? r.id ?? '');

/** Safety margin before the previous pass's start, for clock skew between us and the source. */
const SINCE_MARGIN_MS = 10 * 60_000;

export async function runImport(db: Db, opts: ImportOptions): Promise<ImportReport> {
  const started = Date.now();
  const now = opts.now ?? (() => new Date());
  const specs = opts.specs ?? XANO_SPECS;
  const present = new Set(await opts.source.tables());
  const report: ImportReport = { source: opts.source.key, dryRun: Boolean(opts.dryRun), seconds: 0, tables: [], notImported: [] };
  for (const name of present) if (NOT_IMPORTED[name]) report.notImported.push({ table: name, reason: NOT_IMPORTED[name] });
  const body = async (conn: Db, inBatch: InBatch) => {
    for (const spec of specs) {
      if (present.has(spec.legacy)) report.tables.push(await importTable(conn, inBatch, spec, opts, now));
    }
  };
  if (opts.dryRun) {
    await db
      .transaction()
      .execute(async (trx) => {
        await body(trx, (fn) => fn(trx));
        throw new DryRunRollback();
      })
      .catch((err) => {
        if (!(err instanceof DryRunRollback)) throw err;
      });
  } else {
    await body(db, (fn) => db.transaction().execute(fn));
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

type InBatch = <T>(fn: (trx: Db) => Promise<T>) => Promise<T>;

type Counts = { inserted: number; updated: number; unchanged: number; rejected: number };

/** One table's pass as it goes: what the cursor in `import_run` holds, and the source's row count. */
interface TablePass {
  since: Date | null;
  resume: boolean;
  fromPage: number;
  lastId: number;
  counts: Counts;
  repairs: Record<string, number>;
  total: number;
}

/** A page mapped and ready to write: the accepted rows (with their legacy rows, by index), rejects and issues. */
interface StagedPage {
  page: SourcePage;
  rows: LegacyRow[];
  accepted: Record<string, unknown>[];
  legacyAccepted: LegacyRow[];
  rejects: { legacy_id: string; raw: string; reason: string }[];
  issues: { legacy_id: string; kind: string; detail: string }[];
  repairs: Record<string, number>;
  maxId: number;
}

const doneOf = (c: Counts) => c.inserted + c.updated + c.unchanged + c.rejected;

async function importTable(db: Db, inBatch: InBatch, spec: TableSpec<never>, opts: ImportOptions, now: () => Date): Promise<TableReport> {
  const source = opts.source.key;
  const pass = await beginPass(db, spec, opts, now);
  const t0 = Date.now();
  const doneAtStart = doneOf(pass.counts);
  let read = 0;
  const pages = opts.source.pages(spec.legacy, {
    fromPage: pass.fromPage,
    perPage: opts.perPage ?? 1000,
    since: pass.since,
    changeColumns: spec.changeColumns,
  });
  // Page N+1 is read and mapped while page N is written when the spec's lookups read only other
  // tables (`pagesIndependent`); commits stay in page order, so the cursor never passes a page
  // that is not written. Other specs look up rows of earlier pages: they go one page at a time.
  const overlap = Boolean(spec.pagesIndependent) && !opts.dryRun;
  let stagedTo = pass.lastId;
  const write = async (st: StagedPage) => {
    await inBatch((trx) => writePage(trx, spec, source, st, pass, now));
    reportProgress(opts, spec, pass, t0, doneAtStart);
  };
  let writing: Promise<void> = Promise.resolve();
  for await (const page of pages) {
    pass.total = page.total;
    const st = await stagePage(db, spec, source, page, stagedTo);
    stagedTo = st.maxId;
    read += st.rows.length;
    await writing;
    writing = write(st);
    // Handled here so a failing write is not an unhandled rejection while the next page is staged;
    // the next `await writing` still throws it.
    writing.catch(() => {});
    if (!overlap) await writing;
  }
  await writing;
  await finishPass(db, spec, source, now);
  await moveSequence(db, spec);
  opts.onProgress?.({ table: spec.legacy, done: doneOf(pass.counts), total: pass.total, rowsPerSec: 0, etaMs: 0, finished: true });
  return tableReport(db, spec, source, pass, read);
}

/** The `since` of this pass: an explicit time, or (`last`) the start of the last finished pass less the margin. */
function sinceOf(opts: ImportOptions, lastDoneStartedAt: Date | string | null | undefined): Date | null {
  if (opts.since === 'last') return lastDoneStartedAt ? new Date(new Date(lastDoneStartedAt).getTime() - SINCE_MARGIN_MS) : null;
  return opts.since || null;
}

/** Resumes the table's running pass (same `since`) from its cursor, or starts a new one from page 1. */
async function beginPass(db: Db, spec: TableSpec<never>, opts: ImportOptions, now: () => Date): Promise<TablePass> {
  const source = opts.source.key;
  const state = await db
    .selectFrom('import_run')
    .selectAll()
    .where('source', '=', source)
    .where('table_name', '=', spec.legacy)
    .executeTakeFirst();
  const since = sinceOf(opts, state?.last_done_started_at);
  const sameSince = (state?.since ? new Date(state.since).getTime() : null) === (since?.getTime() ?? null);
  if (state?.status === 'running' && sameSince)
    return {
      since,
      resume: true,
      counts: { inserted: state.inserted, updated: state.updated, unchanged: state.unchanged, rejected: state.rejected },
      repairs: (state.repairs ?? {}) as Record<string, number>,
      lastId: Number(state.last_id),
      // The last committed page is read again (its rows are skipped by id): safe if the source shifted.
      fromPage: Math.max(1, state.last_page),
      total: 0,
    };
  await startPass(db, source, spec, since, now);
  return {
    since,
    resume: false,
    counts: { inserted: 0, updated: 0, unchanged: 0, rejected: 0 },
    repairs: {},
    lastId: 0,
    fromPage: 1,
    total: 0,
  };
}

/** A new pass from page 1: the table's cursor and totals reset, its start time taken for the next `--since last`. */
async function startPass(db: Db, source: string, spec: TableSpec<never>, since: Date | null, now: () => Date) {
  const fresh = {
    status: 'running' as const,
    pass_started_at: now(),
    since,
    last_id: 0,
    last_page: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    repairs: '{}',
    updated_at: now(),
  };
  await db
    .insertInto('import_run')
    .values({ source, table_name: spec.legacy, ...fresh })
    .onConflict((oc) => oc.columns(['source', 'table_name']).doUpdateSet(fresh))
    .execute();
}

/** Maps the page's rows past `after` (a resumed page's written rows are skipped by id). */
async function stagePage(db: Db, spec: TableSpec<never>, source: string, page: SourcePage, after: number): Promise<StagedPage> {
  const rows = page.rows.filter((r) => (legacyId(r.id) ?? 0) > after);
  const lookup = await spec.prepare(db, rows, source);
  const st: StagedPage = {
    page,
    rows,
    accepted: [],
    legacyAccepted: [],
    rejects: [],
    issues: [],
    repairs: {},
    maxId: rows.reduce((m, r) => Math.max(m, legacyId(r.id) ?? 0), after),
  };
  for (const r of rows) {
    const m = spec.map(r, lookup);
    if (!m.ok) {
      st.rejects.push({ legacy_id: legacyKey(r), raw: JSON.stringify(r), reason: m.reason });
      continue;
    }
    st.accepted.push(m.row);
    st.legacyAccepted.push(r);
    for (const x of m.repairs) st.repairs[x] = (st.repairs[x] ?? 0) + 1;
    for (const i of m.issues) st.issues.push({ legacy_id: legacyKey(r), ...i });
  }
  return st;
}

/** One page's transaction: the rows, their extra writes, the rejects and issues, then the cursor. */
async function writePage(trx: Db, spec: TableSpec<never>, source: string, st: StagedPage, pass: TablePass, now: () => Date) {
  const { accepted, legacyAccepted, rejects, issues } = st;
  const w = await writeRows(trx, spec, accepted);
  for (const f of w.failed) {
    const legacy = legacyAccepted[accepted.indexOf(f.row)] ?? {};
    rejects.push({ legacy_id: legacyKey(legacy), raw: JSON.stringify(legacy), reason: f.reason });
  }
  // Rows and their legacy rows stay paired by index: the written ones go on, keyed by legacy key.
  const failed = new Set(w.failed.map((f) => f.row));
  const kept = accepted.flatMap((a, i) => (failed.has(a) ? [] : [i]));
  const failedIds = new Set(accepted.flatMap((a, i) => (failed.has(a) ? [legacyKey(legacyAccepted[i] ?? {})] : [])));
  if (spec.afterBatch)
    await spec.afterBatch(
      trx,
      kept.map((i) => accepted[i] as Record<string, unknown>),
      source,
      kept.map((i) => legacyAccepted[i] as LegacyRow),
    );
  await recordRejects(
    trx,
    source,
    spec.legacy,
    rejects,
    kept.map((i) => legacyKey(legacyAccepted[i] ?? {})),
  );
  await recordIssues(
    trx,
    source,
    spec.legacy,
    issues.filter((i) => !failedIds.has(i.legacy_id)),
  );
  await commitCursor(trx, spec, source, st, pass, w, now);
}

/** Moves the table's cursor past the page with the new totals, in the page's transaction. */
async function commitCursor(
  trx: Db,
  spec: TableSpec<never>,
  source: string,
  st: StagedPage,
  pass: TablePass,
  w: Awaited<ReturnType<typeof writeRows>>,
  now: () => Date,
) {
  const { counts } = pass;
  const next = {
    inserted: counts.inserted + w.inserted,
    updated: counts.updated + w.updated,
    unchanged: counts.unchanged + st.accepted.length - w.failed.length - w.inserted - w.updated,
    rejected: counts.rejected + st.rejects.length,
  };
  const nextRepairs = { ...pass.repairs };
  for (const [k, n] of Object.entries(st.repairs)) nextRepairs[k] = (nextRepairs[k] ?? 0) + n;
  await trx
    .updateTable('import_run')
    .set({
      ...next,
      repairs: JSON.stringify(nextRepairs),
      last_id: st.maxId,
      last_page: st.page.page,
      source_total: pass.total,
      updated_at: now(),
    })
    .where('source', '=', source)
    .where('table_name', '=', spec.legacy)
    .execute();
  // Counted only once the batch is in: a batch that fails leaves the totals as they were.
  Object.assign(counts, next);
  pass.repairs = nextRepairs;
}

function reportProgress(opts: ImportOptions, spec: TableSpec<never>, pass: TablePass, t0: number, doneAtStart: number) {
  const done = doneOf(pass.counts);
  const secs = Math.max(0.001, (Date.now() - t0) / 1000);
  const rate = (done - doneAtStart) / secs;
  opts.onProgress?.({
    table: spec.legacy,
    done,
    total: pass.total,
    rowsPerSec: Math.round(rate),
    etaMs: rate > 0 ? ((pass.total - done) / rate) * 1000 : null,
    finished: false,
  });
}

/** Marks the pass done: the next `--since last` starts from this pass's start. */
async function finishPass(db: Db, spec: TableSpec<never>, source: string, now: () => Date) {
  await db
    .updateTable('import_run')
    .set((eb) => ({ status: 'done', last_done_started_at: eb.ref('pass_started_at'), updated_at: now() }))
    .where('source', '=', source)
    .where('table_name', '=', spec.legacy)
    .execute();
}

async function tableReport(db: Db, spec: TableSpec<never>, source: string, pass: TablePass, read: number): Promise<TableReport> {
  return {
    table: spec.legacy,
    target: spec.target,
    since: pass.since?.toISOString() ?? null,
    resumedFromPage: pass.resume ? pass.fromPage : null,
    sourceTotal: pass.total,
    read,
    ...pass.counts,
    repairs: pass.repairs,
    rejectReasons: await grouped(
      db,
      sql<{
        k: string;
        n: number;
      }>`SELECT reason AS k, count(*)::int AS n FROM import_rejected WHERE source = ${source} AND table_name = ${spec.legacy} GROUP BY reason`,
    ),
    issues: await grouped(
      db,
      sql<{
        k: string;
        n: number;
      }>`SELECT kind AS k, count(*)::int AS n FROM import_issue WHERE source = ${source} AND table_name = ${spec.legacy} GROUP BY kind`,
    ),
  };
}

async function grouped(db: Db, q: RawBuilder<{ k: string; n: number }>): Promise<Record<string, number>> {
  const { rows } = await q.execute(db);
  // Reasons name legacy ids ("… of user 12"): grouped by their text without the numbers.
  const out: Record<string, number> = {};
  for (const r of rows) {
    const k = r.k.replace(/\d+/g, 'N');
    out[k] = (out[k] ?? 0) + Number(r.n);
  }
  return out;
}

async function recordRejects(
  trx: Db,
  source: string,
  table: string,
  rejects: { legacy_id: string; raw: string; reason: string }[],
  acceptedIds: string[],
) {
  if (acceptedIds.length)
    await trx
      .deleteFrom('import_rejected')
      .where('source', '=', source)
      .where('table_name', '=', table)
      .where('legacy_id', 'in', acceptedIds)
      .execute();
  if (!rejects.length) return;
  await trx
    .insertInto('import_rejected')
    .values(rejects.map((r) => ({ source, table_name: table, ...r })))
    .onConflict((oc) =>
      oc
        .columns(['source', 'table_name', 'legacy_id'])
        .doUpdateSet((eb) => ({ raw: eb.ref('excluded.raw'), reason: eb.ref('excluded.reason') })),
    )
    .execute();
}

async function recordIssues(trx: Db, source: string, table: string, issues: { legacy_id: string; kind: string; detail: string }[]) {
  if (!issues.length) return;
  await trx
    .insertInto('import_issue')
    .values(issues.map((i) => ({ source, table_name: table, ...i })))
    .onConflict((oc) =>
      oc.columns(['source', 'table_name', 'legacy_id', 'kind']).doUpdateSet((eb) => ({ detail: eb.ref('excluded.detail') })),
    )
    .execute();
}
