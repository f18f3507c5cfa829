import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { type Database, openPglite, openPostgres } from '../src/db/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: benchmark tables are outside the app's schema types.
export type AnyDb = Kysely<any>;

/** A scratch database the benchmark creates and drops: in-memory PGlite, or a new PostgreSQL database. */
export interface Scratch {
  kind: 'pglite' | 'postgres';
  d: Database;
  /** A second connection pool to the same database (PostgreSQL only: PGlite is one connection). */
  other(): Database | null;
  close(): Promise<void>;
}

export async function scratch(pgUrl: string | null): Promise<Scratch> {
  if (!pgUrl) {
    const d = await openPglite(undefined);
    return { kind: 'pglite', d, other: () => null, close: () => d.close() };
  }
  const name = `qc_bench_${randomBytes(5).toString('hex')}`;
  const admin = openPostgres(pgUrl, 1);
  await sql.raw(`CREATE DATABASE ${name}`).execute(admin.db);
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  const d = openPostgres(url.toString(), 4);
  const others: Database[] = [];
  return {
    kind: 'postgres',
    d,
    other() {
      const o = openPostgres(url.toString(), 1);
      others.push(o);
      return o;
    },
    async close() {
      for (const o of others) await o.close();
      await d.close();
      await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin.db);
      await admin.close();
    },
  };
}

/**
 * The legacy media data at schema 0004: `rows` media rows, half owned by questions and half by
 * answers (one per owner), plus the parents, as the FK backfill (0005) finds them.
 */
export async function seedMedia(db: AnyDb, rows: number): Promise<void> {
  const half = Math.floor(rows / 2);
  await sql`INSERT INTO "user" (email, auth_provider) VALUES ('bench@example.com', 'magic_link')`.execute(db);
  await sql`INSERT INTO expert_profile (user_id, handle) VALUES (1, 'bench')`.execute(db);
  await sql`
    INSERT INTO question (expert_profile_id, payer_email, title, price_cents, status)
    SELECT 1, 'asker' || g || '@example.com', 'Question ' || g, 5000, 'paid' FROM generate_series(1, ${half}) g`.execute(db);
  await sql`INSERT INTO answer (question_id, user_id, text_response) SELECT id, 1, 'answer' FROM question`.execute(db);
  await sql`
    INSERT INTO media_asset (owner_type, owner_id, provider, asset_id, status)
    SELECT 'question', id, 'cloudflare_stream', 'q' || id, 'ready' FROM question`.execute(db);
  await sql`
    INSERT INTO media_asset (owner_type, owner_id, provider, asset_id, status)
    SELECT 'answer', id, 'cloudflare_stream', 'a' || id, 'ready' FROM answer`.execute(db);
  await sql`ANALYZE`.execute(db);
}

export async function seedItems(db: AnyDb, rows: number): Promise<void> {
  await sql`INSERT INTO bench_owner (name) SELECT 'owner ' || g FROM generate_series(1, 100) g`.execute(db);
  await sql`
    INSERT INTO bench_item (owner_id, label, score, legacy)
    SELECT 1 + g % 100, 'label ' || g, g % 1000, 'legacy ' || g FROM generate_series(1, ${rows}) g`.execute(db);
  await sql`ANALYZE`.execute(db);
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * Another connection that writes to bench_item continuously (one-row INSERT and UPDATE, each its
 * own transaction) and records the latency of each: what the application feels while a
 * migration holds locks.
 */
export function startWriter(db: AnyDb): { stop(): Promise<{ writes: number; maxMs: number; p99Ms: number }> } {
  let running = true;
  const latencies: number[] = [];
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const t0 = performance.now();
      if (i % 2) await sql`UPDATE bench_item SET score = score + 1 WHERE id = ${1 + (i % 100_000)}`.execute(db);
      else await sql`INSERT INTO bench_item (owner_id, label, score) VALUES (1, 'written', 1)`.execute(db);
      latencies.push(performance.now() - t0);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { writes: latencies.length, maxMs: Math.max(0, ...latencies), p99Ms: percentile(latencies, 99) };
    },
  };
}

/** One-row UPDATEs of random questions, each its own transaction: the app writing during a backfill. */
export function startQuestionWriter(db: AnyDb, questions: number): { stop(): Promise<{ writes: number; maxMs: number; p99Ms: number }> } {
  let running = true;
  const latencies: number[] = [];
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await sql`UPDATE question SET title = title WHERE id = ${1 + Math.floor(Math.random() * questions)}`.execute(db);
      latencies.push(performance.now() - t0);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { writes: latencies.length, maxMs: Math.max(0, ...latencies), p99Ms: percentile(latencies, 99) };
    },
  };
}
