import { sql } from 'kysely';
import { type StubOptions, startXanoStub, type XanoStub } from '../../scripts/xano-stub.ts';
import type { Db } from '../db/index.ts';
import { type ImportOptions, runImport } from './run.ts';
import { xanoSource } from './xano-source.ts';

export const TOKEN = 'stub-token-0123456789';
export const FIXTURE_QUESTIONS = 60;

export function stub(over: Partial<StubOptions> = {}): Promise<XanoStub> {
  return startXanoStub({ questions: FIXTURE_QUESTIONS, token: TOKEN, ...over });
}

export function sourceFor(s: XanoStub) {
  return xanoSource({ url: s.url, workspace: '1', token: TOKEN, baseDelayMs: 5 });
}

export function importFrom(db: Db, s: XanoStub, over: Partial<ImportOptions> = {}) {
  return runImport(db, { source: sourceFor(s), perPage: 25, ...over });
}

const TABLES = [
  'user',
  'expert_profile',
  'media_asset',
  'media_asset_object',
  'question',
  'answer',
  'payment',
  'utm_campaign',
  'campaign_visit',
];

/** A digest of every imported table's full content (all columns, by id): equal digests = equal data. */
export async function digest(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const order = t === 'media_asset_object' ? sql`media_asset_id, object_key` : sql`id`;
    const cols = t === 'media_asset_object' ? sql`media_asset_id, target, object_key, segment_index` : sql`*`;
    const { rows } = await sql<{ n: number; h: string | null }>`
      SELECT count(*)::int AS n, md5(string_agg(r::text, '|' ORDER BY r.k)) AS h
      FROM (SELECT ${cols}, row_number() OVER (ORDER BY ${order}) AS k FROM ${sql.table(t)}) r`.execute(db);
    out[t] = `${rows[0]?.n}:${rows[0]?.h}`;
  }
  return out;
}

export async function count(db: Db, table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(db);
  return rows[0]?.n ?? 0;
}
