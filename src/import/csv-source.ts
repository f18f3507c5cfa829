/**
 * Per-table CSV exports as a Source: `<dir>/<table>.csv` with a header row of column names (the
 * Xano UI export). Files are streamed record by record; a quoted field may hold commas, quotes
 * ("") and newlines. Empty fields are null. Rows are taken in file order (Xano exports by id).
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ts } from './convert.ts';
import { type Source, SourceError } from './source.ts';
import type { LegacyRow } from './types.ts';

/** Streams CSV records (arrays of fields) from a file. */
export async function* csvRecords(path: string): AsyncGenerator<string[]> {
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let afterQuote = false;
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
    for (const ch of chunk as string) {
      if (quoted) {
        if (ch === '"') {
          quoted = false;
          afterQuote = true;
        } else field += ch;
      } else if (ch === '"') {
        if (afterQuote) field += '"';
        quoted = true;
        afterQuote = false;
      } else if (ch === ',') {
        record.push(field);
        field = '';
        afterQuote = false;
      } else if (ch === '\n') {
        record.push(field.endsWith('\r') ? field.slice(0, -1) : field);
        yield record;
        record = [];
        field = '';
        afterQuote = false;
      } else {
        field += ch;
        afterQuote = false;
      }
    }
  }
  if (field || record.length) {
    record.push(field);
    yield record;
  }
}

async function* rowsOf(path: string): AsyncGenerator<LegacyRow> {
  let header: string[] | null = null;
  for await (const rec of csvRecords(path)) {
    if (!header) {
      header = rec.map((h) => h.replace(/^\uFEFF/, '').trim());
      continue;
    }
    if (rec.length === 1 && rec[0] === '') continue;
    const row: LegacyRow = {};
    header.forEach((h, i) => {
      const v = rec[i];
      row[h] = v === undefined || v === '' ? null : v;
    });
    yield row;
  }
}

export function csvSource(dir: string): Source {
  if (!existsSync(dir)) throw new SourceError(`--from-csv: no directory ${dir}`);
  const file = (table: string) => join(dir, `${table}.csv`);
  return {
    key: `csv:${dir}`,
    tables: async () =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.csv'))
        .map((f) => f.slice(0, -4)),
    async *pages(table, o) {
      const path = file(table);
      if (!existsSync(path)) throw new SourceError(`--from-csv: no ${table}.csv in ${dir}`);
      const since = o.since?.getTime() ?? null;
      const keep = (r: LegacyRow) =>
        since === null ||
        o.changeColumns.some((c) => {
          const t = ts(r[c]);
          return t !== null && new Date(t).getTime() >= since;
        });
      // The total is counted in a first streamed pass: a CSV has no itemsTotal.
      let total = 0;
      for await (const r of rowsOf(path)) if (keep(r)) total++;
      let page = 1;
      let batch: LegacyRow[] = [];
      for await (const r of rowsOf(path)) {
        if (!keep(r)) continue;
        batch.push(r);
        if (batch.length === o.perPage) {
          if (page >= o.fromPage) yield { rows: batch, page, total };
          page++;
          batch = [];
        }
      }
      if (batch.length || page === 1) if (page >= o.fromPage) yield { rows: batch, page, total };
    },
  };
}
