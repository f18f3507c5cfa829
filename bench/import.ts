/**
 * npm run bench:import [-- --rows N] [--pg URL] [--page-size N]
 *
 * Imports a generated workspace of N questions (default 1,000,000) with their answers and payments
 * from the Xano stub (a separate process) into a scratch database, and compares the rows/s of the
 * import (fetch + map + upsert + cursor, end to end) with COPY of the same mapped rows into
 * tables of the same shape and indexes, in the same run. Also prints the importer's peak RSS.
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
import { campaignSpec, visitSpec } from '../src/import/map-marketing.ts';
import { mediaSpec } from '../src/import/map-media.ts';
import { paymentSpec } from '../src/import/map-payments.ts';
import { profileSpec, userSpec } from '../src/import/map-people.ts';
import { answerSpec, questionSpec } from '../src/import/map-questions.ts';
import { runImport } from '../src/import/run.ts';
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
  const timed = [questionSpec, answerSpec, paymentSpec] as TableSpec<never>[];
  console.log(`import bench: ${N.toLocaleString('en-US')} questions, ${db.kind}, ${perPage} rows a page`);
  const mb = () => Math.round(process.memoryUsage().rss / 1048576);
  // The migration engine's SQL parser (WASM) is loaded by migrateUp above: part of this baseline, not of the import.
  const peakBefore = process.resourceUsage().maxRSS / 1024;
  console.log(`RSS before the import: ${mb()} MB (peak so far ${Math.round(peakBefore)} MB)`);
  await runImport(db.d.db, { source, perPage, specs: [userSpec, profileSpec, mediaSpec] as TableSpec<never>[] });
  const t0 = performance.now();
  const report = await runImport(db.d.db, {
    source,
    perPage,
    specs: timed,
    onProgress: (e) => e.finished && console.log(`  ${e.table}: done, RSS now ${mb()} MB`),
  });
  const importSecs = (performance.now() - t0) / 1000;
  await runImport(db.d.db, { source, perPage, specs: [campaignSpec, visitSpec] as TableSpec<never>[] });
  const rows = report.tables.reduce((s, t) => s + t.inserted, 0);
  const rss = process.resourceUsage().maxRSS / 1024;
  const peakDuring =
    rss > peakBefore
      ? `${Math.round(rss)} MB`
      : `≤ ${Math.round(peakBefore)} MB (never above the migration's peak; RSS after each table is printed above)`;

  // The same mapped rows, written to CSV files (not timed), then loaded with COPY (timed).
  let copySecs = 0;
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
    const copyTable = `bench_copy_${spec.target}`;
    await sql.raw(`CREATE TABLE ${copyTable} (LIKE "${spec.target}" INCLUDING DEFAULTS INCLUDING INDEXES)`).execute(db.d.db);
    const copySql = `COPY ${copyTable} (${cols.map(([c]) => `"${c}"`).join(', ')}) FROM STDIN WITH (FORMAT csv)`;
    const c0 = performance.now();
    if (db.kind === 'postgres') {
      const client = new pg.Client({ connectionString: db.d.connectionString ?? '' });
      await client.connect();
      await pipeline(createReadStream(file), client.query(copyFrom(copySql)));
      await client.end();
    } else {
      await db.d.pglite?.query(copySql.replace('FROM STDIN', "FROM '/dev/blob'"), [], { blob: new Blob([readFileSync(file)]) });
    }
    copySecs += (performance.now() - c0) / 1000;
  }
  const ours = rows / importSecs;
  const copy = copied / copySecs;
  console.log(
    `import (fetch + map + upsert + cursor): ${rows.toLocaleString('en-US')} rows (question, answer, payment) in ${importSecs.toFixed(1)} s = ${Math.round(ours).toLocaleString('en-US')} rows/s`,
  );
  console.log(
    `COPY of the same mapped rows:          ${copied.toLocaleString('en-US')} rows in ${copySecs.toFixed(1)} s = ${Math.round(copy).toLocaleString('en-US')} rows/s`,
  );
  console.log(`ratio import/COPY: ${(ours / copy).toFixed(2)}× (goal ≥ 0.5×)`);
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
