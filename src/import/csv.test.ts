import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFixtureCsv } from '../../scripts/xano-csv.ts';
import { freshDatabase } from '../../test/db.ts';
import { csvRecords, csvSource } from './csv-source.ts';
import { runImport } from './run.ts';
import { digest, importFrom, FIXTURE_QUESTIONS as N, stub } from './test-helpers.ts';
import { verifyImport } from './verify.ts';

describe('import xano --from-csv', { timeout: 120_000 }, () => {
  it('parses quoted fields with commas, quotes and newlines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qc-csv-'));
    writeFileSync(join(dir, 'a.csv'), 'id,text\r\n1,"a, ""b""\nc"\r\n2,\r\n');
    const recs: string[][] = [];
    for await (const r of csvRecords(join(dir, 'a.csv'))) recs.push(r);
    expect(recs).toEqual([
      ['id', 'text'],
      ['1', 'a, "b"\nc'],
      ['2', ''],
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the CSV export of the fixture to the same rows as the Metadata API, verifies clean, and re-runs as a no-op', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qc-csv-'));
    writeFixtureCsv(dir, N);
    const fromApi = await freshDatabase();
    const fromCsv = await freshDatabase();
    const s = await stub();
    try {
      await importFrom(fromApi.db, s);
      const report = await runImport(fromCsv.db, { source: csvSource(dir), perPage: 25 });
      expect(report.tables.find((t) => t.table === 'question')).toMatchObject({ sourceTotal: N + 3, inserted: N + 2, rejected: 1 });
      expect(await digest(fromCsv.db)).toEqual(await digest(fromApi.db));
      expect((await verifyImport(fromCsv.db, csvSource(dir), { perPage: 25 })).ok).toBe(true);
      const again = await runImport(fromCsv.db, { source: csvSource(dir), perPage: 25 });
      for (const t of again.tables) expect(t.inserted + t.updated).toBe(0);
    } finally {
      await Promise.all([s.close(), fromApi.close(), fromCsv.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
