import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { isPostgres } from '../../test/db.ts';
import { isConnectionLoss } from './connection-loss.ts';
import { openPostgres } from './index.ts';

describe('isConnectionLoss', () => {
  it('tells a lost connection from a query error', () => {
    for (const lost of [
      { code: '57P01', message: 'terminating connection due to administrator command' },
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' },
      { code: '08006', message: 'connection failure' },
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
    ]) {
      expect(isConnectionLoss(lost)).toBe(true);
    }
    for (const query of [
      { code: '23505', message: 'duplicate key' },
      { code: '42P01', message: 'relation does not exist' },
      new Error('boom'),
      null,
    ]) {
      expect(isConnectionLoss(query)).toBe(false);
    }
  });
});

describe('/health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('is ok with no outage fields while nothing was lost', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: t.database.kind });
  });
});

describe.runIf(isPostgres())('PostgreSQL connections ended under the app (PostgreSQL only: PGlite has no connections)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ FEEDBACK_LIMIT_PER_HOUR: '1000' });
  });
  afterAll(async () => t.close());

  async function terminateAll(): Promise<number> {
    const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(t.ctx.db);
    const admin = openPostgres(process.env.TEST_DATABASE_URL as string, 1);
    try {
      const r = await sql<{ n: number }>`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = ${rows[0]?.name} AND pid <> pg_backend_pid()`.execute(admin.db);
      return r.rows[0]?.n ?? 0;
    } finally {
      await admin.close();
    }
  }

  it('answers reads and writes after every backend was ended, and /health reports the outage and recovery', async () => {
    // Hold several pooled connections open so the termination hits clients the pool keeps.
    await Promise.all(Array.from({ length: 5 }, () => t.app.inject({ method: 'GET', url: '/api/flags/public' })));
    expect(await terminateAll()).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    const reads = await Promise.all(Array.from({ length: 5 }, () => t.app.inject({ method: 'GET', url: '/api/flags/public' })));
    expect(reads.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const write = await t.app.inject({ method: 'POST', url: '/api/feedback', payload: { type: 'bug', message: 'after the failover' } });
    expect(write.statusCode).toBe(201);
    const row = await t.ctx.db.selectFrom('feedback').select('message').where('id', '=', write.json().id).executeTakeFirst();
    expect(row?.message).toBe('after the failover');
  });

  it('fails a transaction whose connection is ended as a connection loss (a request then gets 503 database_unavailable), and recovers', async () => {
    // A transaction that the termination interrupts: its connection dies mid-request.
    const pending = t.app.inject({ method: 'POST', url: '/api/feedback', payload: { type: 'bug', message: 'x'.repeat(20) } });
    const slow = t.ctx.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_sleep(1)`.execute(trx);
    });
    await new Promise((r) => setTimeout(r, 300));
    await terminateAll();
    await expect(slow).rejects.toSatisfy(isConnectionLoss);
    const res = await pending;
    if (res.statusCode === 503) {
      expect(res.json()).toMatchObject({ code: 'database_unavailable' });
      expect(res.headers['retry-after']).toBe('2');
    } else expect(res.statusCode).toBe(201);
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', outages: expect.any(Number), last_recovered_at: expect.any(String) });
  });
});
