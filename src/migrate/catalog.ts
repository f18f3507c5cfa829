import { type Kysely, sql } from 'kysely';
import { quoteIdent } from './parse.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine works on any schema, including an empty one.
type AnyDb = Kysely<any>;

/**
 * What plan and lint ask the target database, cached per run: a plan of 15 migrations asks about
 * the same few tables many times.
 */
export class Catalog {
  private readonly cache = new Map<string, Promise<unknown>>();
  readonly db: AnyDb;
  constructor(db: AnyDb) {
    this.db = db;
  }

  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      this.cache.set(key, p);
    }
    return p;
  }

  tableExists(table: string): Promise<boolean> {
    return this.once(`exists:${table}`, async () => {
      const r = await sql<{ t: string | null }>`SELECT to_regclass(${quoteIdent(table)})::text AS t`.execute(this.db);
      return Boolean(r.rows[0]?.t);
    });
  }

  /** Exact row count, or null when the table does not exist. */
  rowCount(table: string): Promise<number | null> {
    return this.once(`rows:${table}`, async () => {
      if (!(await this.tableExists(table))) return null;
      const r = await sql.raw<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${quoteIdent(table)}`).execute(this.db);
      return Number(r.rows[0]?.n ?? 0);
    });
  }

  /** `character varying(20)`, `text`, … or null when the column does not exist. */
  columnType(table: string, column: string): Promise<string | null> {
    return this.once(`type:${table}.${column}`, async () => {
      const r = await sql<{ t: string }>`
        SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute
        WHERE attrelid = to_regclass(${quoteIdent(table)}) AND attname = ${column} AND NOT attisdropped`.execute(this.db);
      return r.rows[0]?.t ?? null;
    });
  }

  /** A validated CHECK (column IS NOT NULL) lets SET NOT NULL skip its scan (PostgreSQL 12+). */
  hasNotNullCheck(table: string, column: string): Promise<boolean> {
    return this.once(`nncheck:${table}.${column}`, async () => {
      const r = await sql<{ d: string }>`
        SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint
        WHERE conrelid = to_regclass(${quoteIdent(table)}) AND contype = 'c' AND convalidated`.execute(this.db);
      const want = `CHECK ((${column} IS NOT NULL))`;
      return r.rows.some((x) => x.d.replaceAll('"', '') === want);
    });
  }

  /** Volatility of a function by name (v, s, i), null when unknown. */
  volatility(fn: string): Promise<string | null> {
    return this.once(`vol:${fn}`, async () => {
      const r = await sql<{ v: string }>`SELECT max(provolatile::text) AS v FROM pg_proc WHERE proname = ${fn}`.execute(this.db);
      return r.rows[0]?.v ?? null;
    });
  }

  /** The table an index belongs to, or null. */
  indexTable(index: string): Promise<string | null> {
    return this.once(`idx:${index}`, async () => {
      const r = await sql<{ t: string }>`
        SELECT c.relname AS t FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
        WHERE i.indexrelid = to_regclass(${quoteIdent(index)})`.execute(this.db);
      return r.rows[0]?.t ?? null;
    });
  }

  /** Runs a probe query returning one number (NULL count, duplicate groups, …); null if it fails. */
  probe(key: string, query: string): Promise<number | null> {
    return this.once(`probe:${key}`, async () => {
      try {
        const r = await sql.raw<{ n: number }>(query).execute(this.db);
        return Number(r.rows[0]?.n ?? 0);
      } catch {
        return null;
      }
    });
  }
}
