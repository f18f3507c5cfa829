/**
 * `import verify`: reads the source again page by page, maps every row the way the import does,
 * and compares it field by field (a SHA-256 per row of the mapped fields) with what our database
 * holds; a row is accounted for when it is there unchanged or in import_rejected. Also checks
 * every question's payment state against its status.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { PaymentProvider } from '../payment-provider/provider.ts';
import { legacyKey } from './run.ts';
import type { Source } from './source.ts';
import { XANO_SPECS } from './tables.ts';
import type { ColumnKind, TableSpec } from './types.ts';
import { checkHeldIntents, type IntentCheck } from './verify-intents.ts';
import { keyOf } from './writer.ts';

interface TableCheck {
  table: string;
  sourceTotal: number;
  imported: number;
  rejected: number;
  missing: number;
  differing: number;
  sourceChecksum: string;
  databaseChecksum: string;
  /** A few legacy ids of missing or differing rows, to look at. */
  examples: string[];
  ok: boolean;
}

export interface VerifyReport {
  source: string;
  tables: TableCheck[];
  payments: { questions: number; withoutPayment: number; stateMismatch: number; examples: number[]; ok: boolean };
  /** The held intents' live state at the provider (skipped unless PAYMENTS=stripe). */
  intents: IntentCheck;
  ok: boolean;
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

function canonical(kind: ColumnKind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'ts':
      return new Date(v as string | Date).getTime();
    case 'int':
    case 'num':
      return Number(v);
    case 'bool':
      return Boolean(v);
    case 'json':
      return stable(typeof v === 'string' ? JSON.parse(v) : v);
    default:
      return String(v);
  }
}

function rowHash(columns: Record<string, ColumnKind>, row: Record<string, unknown>): string {
  const values = Object.entries(columns).map(([c, k]) => canonical(k, row[c]));
  return createHash('sha256').update(JSON.stringify(values)).digest('hex');
}

/** Order-independent fold of row hashes: equal folds and equal counts mean equal tables. */
function fold(acc: Buffer, hex: string): void {
  const h = Buffer.from(hex, 'hex');
  for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) ^ (h[i] as number);
}

const rowKey = (spec: TableSpec<never>, row: Record<string, unknown>) =>
  keyOf(spec)
    .map((c) => String(row[c]))
    .join(':');

/** Our rows with the keys of these mapped rows: by id, or by the link table's composite key. */
async function storedRows(db: Db, spec: TableSpec<never>, rows: Record<string, unknown>[]) {
  if (!rows.length) return [];
  const cols = sql.join(Object.keys(spec.columns).map((x) => sql.ref(x)));
  const key = keyOf(spec);
  const where =
    key.length === 1 && key[0] === 'id'
      ? sql`id = ANY(${rows.map((r) => Number(r.id))}::bigint[])`
      : sql`(${sql.join(key.map((c) => sql.ref(c)))}) IN (SELECT ${sql.join(key.map((c) => sql.ref(c)))}
          FROM json_populate_recordset(NULL::${sql.table(spec.target)}, ${JSON.stringify(rows)}::json))`;
  return (await sql<Record<string, unknown>>`SELECT ${cols} FROM ${sql.table(spec.target)} WHERE ${where}`.execute(db)).rows;
}

async function checkTable(db: Db, source: Source, spec: TableSpec<never>, perPage: number): Promise<TableCheck> {
  const src = Buffer.alloc(32);
  const mine = Buffer.alloc(32);
  const c: TableCheck = {
    table: spec.legacy,
    sourceTotal: 0,
    imported: 0,
    rejected: 0,
    missing: 0,
    differing: 0,
    sourceChecksum: '',
    databaseChecksum: '',
    examples: [],
    ok: false,
  };
  for await (const page of source.pages(spec.legacy, { fromPage: 1, perPage, since: null, changeColumns: spec.changeColumns })) {
    c.sourceTotal = page.total;
    const lookup = await spec.prepare(db, page.rows, source.key);
    const mapped = page.rows.map((r) => ({ r, m: spec.map(r, lookup) }));
    const ok = mapped.flatMap(({ m }) => (m.ok ? [m.row] : []));
    const ours = await storedRows(db, spec, ok);
    const byKey = new Map(ours.map((o) => [rowKey(spec, o), o]));
    const { rows: rej } = await sql<{ legacy_id: string }>`
      SELECT legacy_id FROM import_rejected WHERE source = ${source.key} AND table_name = ${spec.legacy}
        AND legacy_id = ANY(${page.rows.map(legacyKey)}::text[])`.execute(db);
    const rejected = new Set(rej.map((r) => r.legacy_id));
    for (const { r, m } of mapped) {
      const stored = m.ok ? byKey.get(rowKey(spec, m.row)) : undefined;
      if (m.ok && stored) {
        const a = rowHash(spec.columns, m.row);
        const b = rowHash(spec.columns, stored);
        fold(src, a);
        fold(mine, b);
        if (a === b) c.imported++;
        else {
          c.differing++;
          if (c.examples.length < 5) c.examples.push(`${legacyKey(r)} differs`);
        }
      } else if (rejected.has(legacyKey(r))) c.rejected++;
      else {
        c.missing++;
        if (c.examples.length < 5) c.examples.push(`${legacyKey(r)} missing${m.ok ? '' : ` (${m.reason})`}`);
      }
    }
  }
  c.sourceChecksum = src.toString('hex').slice(0, 16);
  c.databaseChecksum = mine.toString('hex').slice(0, 16);
  c.ok = c.missing === 0 && c.differing === 0 && c.imported + c.rejected === c.sourceTotal;
  return c;
}

/** Every question has a payment whose status fits the question's (legacy-backend.md §5). */
async function checkPayments(db: Db): Promise<VerifyReport['payments']> {
  const { rows } = await sql<{ questions: number; without: number; mismatch: number; examples: number[] | null }>`
    WITH q AS (
      SELECT q.id, p.id AS payment_id, p.status AS payment_status,
        CASE WHEN q.status = 'closed' OR q.answered_at IS NOT NULL THEN 'captured'
             WHEN q.status IN ('refunded', 'declined') THEN 'refunded'
             WHEN q.status = 'paid' AND q.pricing_status = 'offer_accepted' THEN 'accepted'
             WHEN q.status = 'paid' THEN 'authorized' END AS expected
      FROM question q LEFT JOIN LATERAL (SELECT id, status FROM payment WHERE question_id = q.id ORDER BY id LIMIT 1) p ON true
      WHERE q.status NOT IN ('draft', 'pending_payment')
    )
    SELECT count(*)::int AS questions,
      count(*) FILTER (WHERE payment_id IS NULL)::int AS without,
      count(*) FILTER (WHERE payment_id IS NOT NULL AND expected IS NOT NULL AND payment_status <> expected)::int AS mismatch,
      (array_agg(id ORDER BY id) FILTER (WHERE payment_id IS NULL OR payment_status <> expected))[1:5] AS examples
    FROM q`.execute(db);
  const r = rows[0] ?? { questions: 0, without: 0, mismatch: 0, examples: [] };
  return {
    questions: r.questions,
    withoutPayment: r.without,
    stateMismatch: r.mismatch,
    examples: (r.examples ?? []).map(Number),
    ok: r.without === 0 && r.mismatch === 0,
  };
}

export async function verifyImport(
  db: Db,
  source: Source,
  opts: { perPage?: number; specs?: TableSpec<never>[]; payments?: PaymentProvider; onIntents?: (checked: number) => void } = {},
): Promise<VerifyReport> {
  const present = new Set(await source.tables());
  const tables: TableCheck[] = [];
  for (const spec of opts.specs ?? XANO_SPECS)
    if (present.has(spec.legacy)) tables.push(await checkTable(db, source, spec, opts.perPage ?? 1000));
  const payments = await checkPayments(db);
  const intents = await checkHeldIntents(db, opts.payments, { onProgress: opts.onIntents });
  return { source: source.key, tables, payments, intents, ok: tables.every((t) => t.ok) && payments.ok && intents.ok };
}
