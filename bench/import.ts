/**
 * npm run bench:import [-- --rows N] [--pg URL] [--page-size N]
 *
 * Imports a generated workspace of N questions (default 1,000,000) with their answers and payments
 * from the Xano stub (a separate process) into a scratch database, and compares the rows/s of the
 * import (fetch + map + upsert + cursor, end to end) with COPY of the same mapped rows into
 * tables of the same shape and indexes, in the same run. Also prints the importer's peak RSS.
 *
 * Run with `--max-semi-space-size=16`, as the CLI is (package.json, bin/quickchat.js): on a
 * machine with much memory V8 sizes the young generation at up to 3 × 64 MB, and an import, which
 * allocates a page of rows after another, fills it before collecting (peak RSS 433 MB at 1M
 * questions with a live heap under 30 MB); 16 MB semi-spaces keep it below 300 MB, no slower.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { runImport } from '../src/import/run.ts';
import { XANO_SPECS } from '../src/import/tables.ts';
import type { TableSpec } from '../src/import/types.ts';
import { xanoSource } from '../src/import/xano-source.ts';
import { loadMigrations, MIGRATIONS_DIR, migrateUp } from '../src/migrate/index.ts';
import { scratch } from './migrate-db.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, pg: { type: 'string' }, 'page-size': { type: 'string', default: '2000' } },
});
const N = Number(values.rows);
const perPage = Number(values['page-size']);
const TOKEN = 'bench-token';
const PORT = 18_000 + Math.floor(Math.random() * 1000);

async function startStub(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['scripts/xano-stub.ts', '--port', String(PORT), '--questions', String(N), '--token', TOKEN], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout as NodeJS.ReadableStream, 'data');
  return child;
}

const csvCell = (kind: string, v: unknown) => {
  if (v === null || v === undefined) return '';
  const s = kind === 'json' ? JSON.stringify(v) : kind === 'bool' ? (v ? 't' : 'f') : String(v);
  return `"${s.replace(/"/g, '""')}"`;
};

const stub = await startStub();
const db = await scratch(values.pg ?? null);
const tmp = mkdtempSync(join(tmpdir(), 'qc-bench-import-'));
try {
  if (db.kind === 'postgres') {
    // Migrated by the CLI in another process, so the importer's peak RSS is the import's own.
    const m = spawn(process.execPath, ['src/cli/run.ts', 'migrate', 'up', '--json'], {
      env: {
        ...process.env,
        DATABASE_URL: db.d.connectionString ?? '',
        JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    const [code] = await once(m, 'exit');
    if (code !== 0) throw new Error(`migrate up exited with ${code}`);
  } else await migrateUp(db.d.db, loadMigrations(MIGRATIONS_DIR));
  const source = xanoSource({ url: `http://127.0.0.1:${PORT}`, workspace: '1', token: TOKEN });
  // The specs the CLI uses (file URLs mapped to their copies included), split around the timed three.
  const specs = (...names: string[]) => XANO_SPECS.filter((x) => names.includes(x.legacy));
  const timed = specs('question', 'answer', 'payment_table_structure');
  console.log(`import bench: ${N.toLocaleString('en-US')} questions, ${db.kind}, ${perPage} rows a page`);
  const mb = () => Math.round(process.memoryUsage().rss / 1048576);
  // The migration engine's SQL parser (WASM) is loaded by migrateUp above: part of this baseline, not of the import.
  const peakBefore = process.resourceUsage().maxRSS / 1024;
  console.log(`RSS before the import: ${mb()} MB (peak so far ${Math.round(peakBefore)} MB)`);
  await runImport(db.d.db, { source, perPage, specs: specs('user', 'expert_profile', 'media_asset') });
  const t0 = performance.now();
  const report = await runImport(db.d.db, {
    source,
    perPage,
    specs: timed,
    onProgress: (e) => e.finished && console.log(`  ${e.table}: done, RSS now ${mb()} MB`),
  });
  const importSecs = (performance.now() - t0) / 1000;
  await runImport(db.d.db, { source, perPage, specs: specs('utm_campaign', 'campaign_visit') });
  const rows = report.tables.reduce((s, t) => s + t.inserted, 0);
  const rss = process.resourceUsage().maxRSS / 1024;
  const peakDuring =
    rss > peakBefore
      ? `${Math.round(rss)} MB`
      : `≤ ${Math.round(peakBefore)} MB (never above the migration's peak; RSS after each table is printed above)`;

  // The same mapped rows, written to CSV files (not timed), then loaded with COPY (timed) twice:
  // into the same tables (same indexes, CHECKs and foreign keys: the fair baseline, the same job
  // done the fastest way PostgreSQL has) and into bare copies (indexes only: no constraint checked).
  const files: { spec: TableSpec<never>; file: string; cols: string }[] = [];
  let copied = 0;
  for (const spec of timed) {
    const file = join(tmp, `${spec.target}.csv`);
    const cols = Object.entries(spec.columns);
    const out = createWriteStream(file);
    for await (const page of source.pages(spec.legacy, { fromPage: 1, perPage, since: null, changeColumns: [] })) {
      const lookup = await spec.prepare(db.d.db, page.rows, source.key);
      const lines: string[] = [];
      for (const r of page.rows) {
        const m = spec.map(r, lookup);
        if (m.ok) lines.push(cols.map(([c, k]) => csvCell(k, m.row[c])).join(','));
      }
      copied += lines.length;
      if (lines.length && !out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    files.push({ spec, file, cols: cols.map(([c]) => `"${c}"`).join(', ') });
  }
  const copyInto = async (table: string, file: string, cols: string) => {
    const copySql = `COPY ${table} (${cols}) FROM STDIN WITH (FORMAT csv)`;
    const c0 = performance.now();
    if (db.kind === 'postgres') {
      const client = new pg.Client({ connectionString: db.d.connectionString ?? '' });
      await client.connect();
      await pipeline(createReadStream(file), client.query(copyFrom(copySql)));
      await client.end();
    } else {
      await db.d.pglite?.query(copySql.replace('FROM STDIN', "FROM '/dev/blob'"), [], { blob: new Blob([readFileSync(file)]) });
    }
    return (performance.now() - c0) / 1000;
  };
  let bareSecs = 0;
  for (const f of files) {
    await sql
      .raw(`CREATE TABLE bench_copy_${f.spec.target} (LIKE "${f.spec.target}" INCLUDING DEFAULTS INCLUDING INDEXES)`)
      .execute(db.d.db);
    bareSecs += await copyInto(`bench_copy_${f.spec.target}`, f.file, f.cols);
  }
  // The imported rows make way for the COPY (CASCADE: the visits that point at questions go too).
  await sql.raw(`TRUNCATE ${files.map((f) => `"${f.spec.target}"`).join(', ')} CASCADE`).execute(db.d.db);
  let copySecs = 0;
  for (const f of files) copySecs += await copyInto(`"${f.spec.target}"`, f.file, f.cols);
  const ours = rows / importSecs;
  const copy = copied / copySecs;
  const bare = copied / bareSecs;
  console.log(
    `import (fetch + map + upsert + cursor): ${rows.toLocaleString('en-US')} rows (question, answer, payment) in ${importSecs.toFixed(1)} s = ${Math.round(ours).toLocaleString('en-US')} rows/s`,
  );
  console.log(
    `COPY into the same tables:             ${copied.toLocaleString('en-US')} rows in ${copySecs.toFixed(1)} s = ${Math.round(copy).toLocaleString('en-US')} rows/s`,
  );
  console.log(
    `COPY into bare copies (no constraints): ${copied.toLocaleString('en-US')} rows in ${bareSecs.toFixed(1)} s = ${Math.round(bare).toLocaleString('en-US')} rows/s`,
  );
  console.log(`ratio import/COPY (same tables): ${(ours / copy).toFixed(2)}× (goal ≥ 0.5×)`);
  console.log(`ratio import/COPY (bare copies): ${(ours / bare).toFixed(2)}×`);
  console.log(
    `peak RSS of the importer: ${peakDuring} (goal < 300 MB)${db.kind === 'pglite' ? ' — includes the embedded database and the migration engine' : ''}`,
  );
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  stub.kill();
  await db.close();
  rmSync(tmp, { recursive: true, force: true });
}
