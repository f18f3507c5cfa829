/**
 * Writes the generated workspace (scripts/xano-fixture.ts) as per-table CSV files, the way the
 * Xano UI exports them: a header row, JSON values as JSON text, ms timestamps as numbers.
 *
 *   node scripts/xano-csv.ts <dir> [questions]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Row, row, shape, tableCount, XANO_TABLES } from './xano-fixture.ts';

const cell = (v: unknown) => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function writeFixtureCsv(dir: string, questions: number): void {
  mkdirSync(dir, { recursive: true });
  const s = shape(questions);
  for (const table of XANO_TABLES) {
    const rows: Row[] = [];
    for (let id = 1; id <= tableCount(s, table); id++) rows.push(row(s, table, id) as Row);
    const header = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const lines = [header.join(','), ...rows.map((r) => header.map((h) => cell(r[h])).join(','))];
    writeFileSync(join(dir, `${table}.csv`), `${lines.join('\r\n')}\r\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node scripts/xano-csv.ts <dir> [questions]');
  writeFixtureCsv(dir, Number(process.argv[3] ?? 200));
  console.log(`wrote ${XANO_TABLES.length} CSV files to ${dir}`);
}
