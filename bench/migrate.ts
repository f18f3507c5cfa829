/**
 * Migration engine benchmarks, on PGlite and on PostgreSQL, each figure a ratio against a
 * baseline measured in the same run:
 *   1. the media FK backfill (0005, declared, batched) over N media rows vs one raw UPDATE;
 *   2. the longest ACCESS EXCLUSIVE hold of each engine statement on an N-row table while
 *      another connection writes, vs the same changes written the naive way;
 *   3. applying the whole history to a fresh database vs running the same SQL raw; lint per file.
 * Usage: npm run bench:migrate [-- --rows 1000000] [--pg postgres://…] [--only pglite|postgres] [--part history|backfill|locks]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { loadMigrations, MIGRATIONS_DIR, type MigrationReport, migrateDown, migrateUp } from '../src/migrate/index.ts';
import { lintMigrations } from '../src/migrate/lint/index.ts';
import { percentile, type Scratch, scratch, seedItems, seedMedia, startQuestionWriter, startWriter } from './migrate-db.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    pg: { type: 'string', default: 'postgres://root@127.0.0.1:5432/test' },
    only: { type: 'string' },
    part: { type: 'string' },
  },
});
const ROWS = Number(values.rows);
const history = loadMigrations(MIGRATIONS_DIR);
const benchMigrations = loadMigrations(fileURLToPath(new URL('./migrations', import.meta.url)));
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const timed = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

/** The original 0005, one UPDATE per parent table (what the declared backfill replaces). */
const RAW_BACKFILL = ['question', 'answer'].map(
  (t) => `UPDATE ${t} p SET media_asset_id = m.id
  FROM (SELECT DISTINCT ON (owner_id) id, owner_id FROM media_asset WHERE owner_type = '${t}' ORDER BY owner_id, id) m
  WHERE m.owner_id = p.id AND p.media_asset_id IS NULL`,
);

/** 0005's declared backfill on a seeded scratch database, optionally while another connection writes. */
async function engineBackfill(eng: Scratch, withWriter: boolean) {
  // The application keeps writing the rows being backfilled (PostgreSQL: another connection).
  const other = withWriter ? eng.other() : null;
  const writer = other ? startQuestionWriter(other.db, Math.floor(ROWS / 2)) : null;
  const batchMs: number[] = [];
  const r = await migrateUp(eng.d.db, history, {
    to: 5,
    onEvent: (e) => {
      if (e.type === 'backfill') batchMs.push(e.batchMs);
    },
  });
  const writes = await writer?.stop();
  const steps = r.reports[0]?.steps.filter((s) => s.backfill) ?? [];
  return {
    ms: steps.reduce((a, s) => a + s.ms, 0),
    rows: steps.reduce((a, s) => a + (s.backfill?.updated ?? 0), 0),
    batches: steps.reduce((a, s) => a + (s.backfill?.batches ?? 0), 0),
    longest: Math.max(...steps.map((s) => s.backfill?.maxBatchMs ?? 0)),
    p50: percentile(batchMs, 50),
    p99: percentile(batchMs, 99),
    writes,
  };
}

/**
 * Throughput is compared like with like: the engine alone against the raw UPDATE alone. Batch
 * durations (how long row locks are held) are measured again while another connection writes the
 * table, where they matter; PGlite has one connection, so there it is one run without a writer.
 */
async function backfillBench(pg: string | null): Promise<void> {
  const dbs = [await scratch(pg), await scratch(pg)];
  if (dbs[0]?.other()) dbs.push(await scratch(pg));
  const [raw, alone, loaded] = dbs as [Scratch, Scratch, Scratch | undefined];
  try {
    for (const s of dbs) {
      await migrateUp(s.d.db, history, { to: 4 });
      await seedMedia(s.d.db, ROWS);
    }
    const rawMs = await timed(() =>
      raw.d.db.transaction().execute(async (trx) => {
        for (const q of RAW_BACKFILL) await sql.raw(q).execute(trx);
      }),
    );
    const e = await engineBackfill(alone, false);
    console.log(
      `  backfill of ${fmt(ROWS)} media rows (${fmt(e.rows)} links): raw UPDATE ${fmt(rawMs)} ms, engine ${fmt(e.ms)} ms in ${e.batches} batches`,
    );
    console.log(
      `    throughput ratio engine/raw = ${fmt(rawMs / e.ms, 2)} (goal ≥ 0.85); batch p50 ${fmt(e.p50)} ms, p99 ${fmt(e.p99)} ms, longest ${fmt(e.longest)} ms`,
    );
    if (!loaded) return;
    const w = await engineBackfill(loaded, true);
    console.log(
      `  the same backfill while another connection writes question: engine ${fmt(w.ms)} ms (ratio to raw ${fmt(rawMs / w.ms, 2)}), ${fmt(w.writes?.writes ?? 0)} writes (p99 ${fmt(w.writes?.p99Ms ?? 0, 1)} ms, longest ${fmt(w.writes?.maxMs ?? 0)} ms)`,
    );
    console.log(`    batch p50 ${fmt(w.p50)} ms, p99 ${fmt(w.p99)} ms (goal ≤ 100), longest ${fmt(w.longest)} ms`);
  } finally {
    for (const s of dbs) await s.close();
  }
}

/** The changes of bench/migrations/0002 and 0004 written the way the lint rules forbid. */
const NAIVE = [
  'ALTER TABLE bench_item ADD CONSTRAINT naive_score_check CHECK (score >= 0)',
  'ALTER TABLE bench_item ADD CONSTRAINT naive_owner_fkey FOREIGN KEY (owner_id) REFERENCES bench_owner (id) ON DELETE CASCADE',
  'ALTER TABLE bench_item ALTER COLUMN label SET NOT NULL',
  'CREATE INDEX naive_score_idx ON bench_item (score)',
  'ALTER TABLE bench_item ALTER COLUMN label TYPE varchar(200)',
];
const UNDO_NAIVE = [
  'DROP INDEX naive_score_idx',
  'ALTER TABLE bench_item DROP CONSTRAINT naive_score_check, DROP CONSTRAINT naive_owner_fkey',
  'ALTER TABLE bench_item ALTER COLUMN label DROP NOT NULL, ALTER COLUMN label TYPE text',
];

function holds(reports: MigrationReport[]): { statement: string; ms: number }[] {
  return reports.flatMap((r) =>
    r.steps.flatMap((s) =>
      s.statements.flatMap((st) => {
        const ae = st.holds.filter((h) => h.mode === 'ACCESS EXCLUSIVE').map((h) => h.ms);
        return ae.length ? [{ statement: `${r.name}/${st.file}:${st.index} ${st.kind}`, ms: Math.max(...ae) }] : [];
      }),
    ),
  );
}

async function lockBench(pg: string | null): Promise<void> {
  const s: Scratch = await scratch(pg);
  try {
    await migrateUp(s.d.db, benchMigrations, { to: 1 });
    await seedItems(s.d.db, ROWS);
    const other = s.other();
    // Naive baseline first, on the same table, then undone (in one transaction each, as one migration would).
    let writer = other ? startWriter(other.db) : null;
    const naive: number[] = [];
    for (const q of NAIVE) naive.push(await timed(() => sql.raw(q).execute(s.d.db)));
    const naiveWrites = await writer?.stop();
    for (const q of UNDO_NAIVE) await sql.raw(q).execute(s.d.db);
    writer = other ? startWriter(other.db) : null;
    const reports: MigrationReport[] = [];
    const keep = (e: { report?: MigrationReport }) => e.report && reports.push(e.report);
    await migrateUp(s.d.db, benchMigrations, { onProgress: keep });
    await migrateDown(s.d.db, benchMigrations, { to: 1, onProgress: keep });
    await migrateUp(s.d.db, benchMigrations, { onProgress: keep });
    const engineWrites = await writer?.stop();
    const all = holds(reports);
    const longest = all.reduce((a, b) => (b.ms > a.ms ? b : a), { statement: '-', ms: 0 });
    const p99 = percentile(
      all.map((h) => h.ms),
      99,
    );
    const naiveMax = Math.max(...naive);
    console.log(
      `  ACCESS EXCLUSIVE holds on a ${fmt(ROWS)}-row table, ${all.length} engine statements (up, down, up)${other ? ', another connection writing' : ' (PGlite: one connection, no concurrent writer)'}:`,
    );
    console.log(`    engine p99 ${fmt(p99)} ms, longest ${fmt(longest.ms)} ms (${longest.statement}) (goal p99 ≤ 50)`);
    console.log(
      `    naive statements (validating ADD CONSTRAINT, SET NOT NULL, CREATE INDEX, type change) longest ${fmt(naiveMax)} ms; ratio engine p99 / naive = ${fmt(p99 / naiveMax, 3)}`,
    );
    if (naiveWrites && engineWrites) {
      console.log(
        `    writer: ${fmt(engineWrites.writes)} writes during the engine run, longest stall ${fmt(engineWrites.maxMs)} ms (p99 ${fmt(engineWrites.p99Ms, 1)}); during the naive statements ${fmt(naiveWrites.maxMs)} ms; ratio ${fmt(engineWrites.maxMs / naiveWrites.maxMs, 3)}`,
      );
    }
  } finally {
    await s.close();
  }
}

async function historyBench(pg: string | null): Promise<void> {
  const eng = await scratch(pg);
  const raw = await scratch(pg);
  try {
    const engMs = await timed(() => migrateUp(eng.d.db, history));
    const rawMs = await timed(async () => {
      for (const m of history) {
        await raw.d.db.transaction().execute(async (trx) => {
          for (const q of m.upStatements.filter((x) => !/CONCURRENTLY/i.test(x))) await sql.raw(q).execute(trx);
          if (m.id === 5) for (const q of RAW_BACKFILL) await sql.raw(q).execute(trx);
        });
        for (const q of m.upStatements.filter((x) => /CONCURRENTLY/i.test(x))) await sql.raw(q).execute(raw.d.db);
      }
    });
    console.log(
      `  whole history (${history.length} migrations) on a fresh database: engine ${fmt(engMs)} ms, raw SQL ${fmt(rawMs)} ms; ratio engine/raw = ${fmt(engMs / rawMs, 2)}${eng.kind === 'pglite' ? ' (goal < 2000 ms on PGlite)' : ''}`,
    );
  } finally {
    await eng.close();
    await raw.close();
  }
}

async function lintBench(): Promise<void> {
  await lintMigrations(history, {});
  const t0 = performance.now();
  const rounds = 20;
  for (let i = 0; i < rounds; i++) await lintMigrations(loadMigrations(MIGRATIONS_DIR), {});
  const perFile = (performance.now() - t0) / rounds / history.length;
  console.log(`lint (load + parse + rules, no database): ${fmt(perFile, 2)} ms per migration (goal < 20)`);
}

if (!values.part) await lintBench();
for (const target of ['pglite', 'postgres'] as const) {
  if (values.only && values.only !== target) continue;
  const pg = target === 'postgres' ? (values.pg as string) : null;
  console.log(`\n== ${target === 'pglite' ? 'PGlite (embedded)' : `PostgreSQL (${new URL(values.pg as string).host})`}`);
  const part = values.part;
  if (!part || part === 'history') await historyBench(pg);
  if (!part || part === 'backfill') await backfillBench(pg);
  if (!part || part === 'locks') await lockBench(pg);
}
