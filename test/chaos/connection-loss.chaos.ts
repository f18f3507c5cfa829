import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAOS_PG_URL, NO_PG_REASON, scratchDatabase, terminateBackends } from './postgres-url.ts';
import { recordFigure } from './report.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';

const JWT_SECRET = 'chaos-connection-loss-secret-0123456789abcdef';

interface Outcome {
  ok: number;
  unavailable: number;
  /** 5xx other than the documented 503, or no answer at all. */
  lost: string[];
  ackedIds: number[];
}

/** Fires `n` requests, `concurrency` at a time; sorts each answer into ok / 503 database_unavailable / lost. */
async function load(n: number, concurrency: number, send: (i: number) => Promise<Response>): Promise<Outcome> {
  const out: Outcome = { ok: 0, unavailable: 0, lost: [], ackedIds: [] };
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      try {
        const res = await send(i);
        const body = (await res.json().catch(() => ({}))) as { code?: string; id?: number };
        if (res.status < 500) {
          out.ok++;
          if (res.status === 201 && typeof body.id === 'number') out.ackedIds.push(body.id);
        } else if (res.status === 503 && body.code === 'database_unavailable' && res.headers.get('retry-after')) out.unavailable++;
        else out.lost.push(`${res.status} ${JSON.stringify(body)}`);
      } catch (err) {
        out.lost.push(`no answer: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

describe.runIf(CHAOS_PG_URL)(`PostgreSQL connection loss (${CHAOS_PG_URL ? 'PostgreSQL' : NO_PG_REASON})`, () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let server: ServerProcess;
  // The test's own connections are ended too: a pool that drops them and reconnects.
  let client: pg.Pool;

  beforeAll(async () => {
    db = await scratchDatabase();
    server = await startServerProcess({
      DATABASE_URL: db.url,
      JWT_SECRET,
      DATA_DIR: `/tmp/${db.name}`,
      FEEDBACK_LIMIT_PER_HOUR: '10000',
    });
    client = new pg.Pool({ connectionString: db.url, max: 2 });
    client.on('error', () => {});
  });
  afterAll(async () => {
    await client?.end();
    await server?.stop();
    await db?.drop();
  });

  const feedback = (i: number) =>
    fetch(`${server.url}/api/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'bug', message: `chaos write number ${i}` }),
    });
  const read = () => fetch(`${server.url}/api/flags/public`);

  /** Ends every backend of the database `times` times while `work` runs. */
  async function underTermination(work: Promise<Outcome>, times = 3): Promise<{ outcome: Outcome; terminated: number }> {
    let terminated = 0;
    for (let t = 0; t < times; t++) {
      await new Promise((r) => setTimeout(r, 150));
      terminated += await terminateBackends(db.name);
    }
    return { outcome: await work, terminated };
  }

  async function expectRecovered() {
    expect(server.child.exitCode, server.output.slice(-10).join('\n')).toBeNull();
    let health = 0;
    for (let i = 0; i < 50 && health !== 200; i++) {
      health = (await fetch(`${server.url}/health`)).status;
      if (health !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(health).toBe(200);
    // /health tells that an outage happened and that it is over.
    const report = (await (await fetch(`${server.url}/health`)).json()) as { outages?: number; last_recovered_at?: string | null };
    expect(report.outages).toBeGreaterThanOrEqual(1);
    expect(report.last_recovered_at).toEqual(expect.any(String));
    expect((await read()).status).toBe(200);
    expect((await feedback(-1)).status).toBe(201);
  }

  it('survives every backend ended while idle', async () => {
    await new Promise((r) => setTimeout(r, 500));
    const n = await terminateBackends(db.name);
    await new Promise((r) => setTimeout(r, 1000));
    recordFigure('connection-loss', 'backends ended while idle', n);
    await expectRecovered();
  });

  it('survives every backend ended during reads: none lost, most retried into success', async () => {
    const { outcome, terminated } = await underTermination(load(600, 16, read));
    recordFigure('connection-loss', 'reads: backends ended', terminated);
    recordFigure('connection-loss', 'reads: requests lost', outcome.lost.length, `of 600`);
    recordFigure('connection-loss', 'reads: answered 503 database_unavailable', outcome.unavailable, `of 600`);
    expect(outcome.lost).toEqual([]);
    await expectRecovered();
  });

  it('survives every backend ended during writes: no acknowledged write lost', async () => {
    const { outcome, terminated } = await underTermination(load(400, 16, feedback));
    const ids = outcome.ackedIds;
    const rows = await client.query('SELECT id FROM feedback WHERE id = ANY($1::bigint[])', [ids]);
    recordFigure('connection-loss', 'writes: backends ended', terminated);
    recordFigure('connection-loss', 'writes: requests lost', outcome.lost.length, 'of 400');
    recordFigure('connection-loss', 'writes: answered 503 database_unavailable', outcome.unavailable, 'of 400');
    recordFigure('connection-loss', 'writes: acknowledged writes lost', ids.length - rows.rowCount!, `of ${ids.length}`);
    expect(outcome.lost).toEqual([]);
    expect(rows.rowCount).toBe(ids.length);
    await expectRecovered();
  });

  it('keeps running jobs after every backend is ended during a job run (pg-boss resumes)', async () => {
    const boss = new PgBoss({ connectionString: db.url, max: 1, supervise: false, schedule: false });
    boss.on('error', () => {});
    await boss.start();
    try {
      const runs = async () =>
        Number((await client.query(`SELECT count(*) FROM job_run WHERE job = 'deliver-emails' AND status = 'succeeded'`)).rows[0].count);
      const waitFor = async (want: number) => {
        for (let i = 0; i < 150 && (await runs()) < want; i++) await new Promise((r) => setTimeout(r, 200));
        return runs();
      };
      const before = await runs();
      await boss.send('deliver-emails', {});
      await new Promise((r) => setTimeout(r, 300));
      await terminateBackends(db.name);
      await boss.send('deliver-emails', {}).catch(() => boss.send('deliver-emails', {}));
      const after = await waitFor(before + 1);
      recordFigure('connection-loss', 'job runs completed after backends ended', after - before);
      expect(after).toBeGreaterThan(before);
    } finally {
      await boss.stop({ graceful: false, close: true }).catch(() => {});
    }
    await expectRecovered();
  });
});
