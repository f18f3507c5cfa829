import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAOS_PG_URL, NO_PG_REASON, scratchDatabase } from './postgres-url.ts';
import { recordFigure } from './report.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const JOBS_EVERY_MINUTE = ['expire-offers', 'expire-sla', 'payment-actions', 'deliver-emails', 'file-deletion-outbox', 'privacy-retention']
  .map((j) => `${j}=* * * * *`)
  .join(';');

describe.runIf(CHAOS_PG_URL)(`two instances on one database (${CHAOS_PG_URL ? 'PostgreSQL + Redis' : NO_PG_REASON})`, () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let a: ServerProcess;
  let b: ServerProcess;
  let pool: pg.Pool;
  // One shared DATA_DIR (allowed with DATABASE_URL): the outbox is read from one place.
  const dataDir = mkdtempSync(join(tmpdir(), 'qc-instances-'));
  // Rate-limit keys of this run only: each run is one made-up client address.
  const ip = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

  beforeAll(async () => {
    db = await scratchDatabase();
    const env = {
      DATABASE_URL: db.url,
      JWT_SECRET: 'chaos-two-instances-secret-0123456789abcdef',
      DATA_DIR: dataDir,
      REDIS_URL,
      TRUST_PROXY: 'true',
      FEEDBACK_LIMIT_PER_HOUR: '4',
      JOB_SCHEDULES: JOBS_EVERY_MINUTE,
      MAIL_POLL_MS: '200',
    };
    a = await startServerProcess(env, 120_000);
    b = await startServerProcess(env, 120_000);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  const post = (s: ServerProcess, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${s.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...headers },
      body: JSON.stringify(body),
    });

  it('shares rate limits: the hourly feedback limit counts requests to both instances', async () => {
    const statuses: number[] = [];
    for (const s of [a, b, a, b, a, b])
      statuses.push((await post(s, '/api/feedback', { type: 'bug', message: 'two instances, one limit' })).status);
    recordFigure('instances', 'feedback accepted of 6 with a limit of 4 (a, b, a, b…)', statuses.filter((x) => x === 201).length);
    expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
  });

  it('accepts on one instance a session signed in on the other', async () => {
    const email = `two-${Date.now()}@example.test`;
    expect((await post(a, '/api/auth/magic-link/send', { email })).status).toBe(200);
    let code: string | undefined;
    for (let i = 0; i < 100 && !code; i++) {
      for (const f of readdirSync(join(dataDir, 'outbox')).filter((n) => n.endsWith('.eml'))) {
        const text = readFileSync(join(dataDir, 'outbox', f), 'utf8');
        if (text.includes(email)) code = text.match(/\b(\d{6})\b/)?.[1];
      }
      if (!code) await new Promise((r) => setTimeout(r, 200));
    }
    expect(code).toBeDefined();
    const verified = await post(a, '/api/auth/magic-link/verify', { email, code });
    expect(verified.status).toBe(200);
    const { token } = (await verified.json()) as { token: string };
    const me = await fetch(`${b.url}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { email?: string }).email).toBe(email);
  });

  it('runs each scheduled job once per tick across both instances', { timeout: 200_000 }, async () => {
    const perTick = async () =>
      (
        await pool.query(
          `SELECT job, date_trunc('minute', started_at) AS tick, count(*)::int AS runs FROM job_run
           WHERE trigger = 'schedule' GROUP BY 1, 2 ORDER BY 2, 1`,
        )
      ).rows as { job: string; tick: Date; runs: number }[];
    const ticks = () => perTick().then((rows) => new Set(rows.map((r) => r.tick.getTime())).size);
    // Two full minutes of ticks (pg-boss evaluates crons every ~30 s).
    for (let i = 0; i < 190 && (await ticks()) < 2; i++) await new Promise((r) => setTimeout(r, 1000));
    const rows = await perTick();
    recordFigure('instances', 'scheduled runs seen (job × tick)', rows.length);
    recordFigure('instances', 'job × tick with more than one run', rows.filter((r) => r.runs > 1).length);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.runs !== 1)).toEqual([]);
  });

  it('drops no request when one instance gets SIGTERM under load', async () => {
    // A request is dropped when the instance accepted it and never answered (reset, closed socket).
    // A connection refused after the listener closed was never accepted: a load balancer retries it
    // on the other instance. Both are counted; only drops fail the test. Like a load balancer, the
    // clients stop sending to A once its /health (polled every 100 ms) stops answering 200.
    const counts = { answered: 0, refused: 0, dropped: 0, bOk: 0 };
    const drops: string[] = [];
    let running = true;
    let aOut = false;
    const poller = (async () => {
      while (running && !aOut) {
        aOut = await fetch(`${a.url}/health`).then(
          (r) => r.status !== 200,
          () => true,
        );
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const loop = async (server: ServerProcess, n: number, onB: boolean) => {
      for (let i = 0; running && i < 2000 && (onB || !aOut); i++) {
        try {
          const r = await fetch(`${server.url}/api/flags/public`, { headers: { 'x-forwarded-for': `10.78.${n}.${i % 250}` } });
          await r.arrayBuffer();
          if (onB) counts.bOk += r.status === 200 ? 1 : 0;
          else counts.answered++;
        } catch (err) {
          const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
          if (code === 'ECONNREFUSED') counts.refused++;
          else {
            counts.dropped++;
            drops.push(code);
          }
          if (!onB) await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const loops = [
      ...Array.from({ length: 6 }, (_, n) => loop(a, n, false)),
      ...Array.from({ length: 4 }, (_, n) => loop(b, 10 + n, true)),
    ];
    await new Promise((r) => setTimeout(r, 1500));
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await Promise.all([...loops, poller]);
    recordFigure('instances', 'SIGTERM: requests answered by the stopping instance', counts.answered);
    recordFigure('instances', 'SIGTERM: requests dropped (accepted, never answered)', counts.dropped);
    recordFigure('instances', 'SIGTERM: connections refused after its listener closed', counts.refused);
    recordFigure('instances', 'SIGTERM: requests answered 200 by the other instance meanwhile', counts.bOk);
    expect(drops).toEqual([]);
    expect(counts.answered).toBeGreaterThan(0);
    expect(counts.bOk).toBeGreaterThan(0);
  });
});
