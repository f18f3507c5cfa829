import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/index.ts';
import { recordFigure } from './report.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';

const ROUNDS = 4;

/** Writes feedback rows as fast as `concurrency` clients can until `stop()`; returns the acknowledged ids. */
function writer(server: ServerProcess, concurrency: number) {
  const acked: number[] = [];
  let running = true;
  let n = 0;
  const one = async () => {
    while (running) {
      try {
        const res = await fetch(`${server.url}/api/feedback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'bug', message: `kill -9 write ${n++} ${'x'.repeat(200)}` }),
        });
        const body = (await res.json()) as { id?: number };
        if (res.status === 201 && typeof body.id === 'number') acked.push(body.id);
      } catch {
        return; // the server is gone: this request was never acknowledged
      }
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, one));
  return {
    acked,
    async stop() {
      running = false;
      await done;
    },
  };
}

describe('kill -9 on PGlite', () => {
  it(`loses no acknowledged write over ${ROUNDS} kills during writes, and is healthy again each time (target 10 s)`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qc-kill9-'));
    const env = { DATA_DIR: dataDir, FEEDBACK_LIMIT_PER_HOUR: '10000' };
    const acked: number[] = [];
    const restarts: number[] = [];
    let server = await startServerProcess(env);
    recordFigure('kill -9', 'first start (migrations included)', server.readyMs, 'ms');
    for (let round = 0; round < ROUNDS; round++) {
      const w = writer(server, 8);
      await new Promise((r) => setTimeout(r, 1500 + Math.random() * 1000));
      server.child.kill('SIGKILL');
      await server.exited;
      await w.stop();
      acked.push(...w.acked);
      server = await startServerProcess(env, 120_000);
      restarts.push(server.readyMs);
    }
    await server.stop();
    const database = await openPglite(join(dataDir, 'pglite'));
    const found = await database.db.selectFrom('feedback').select('id').where('id', 'in', acked).execute();
    await database.close();
    const lost = acked.length - found.length;
    recordFigure('kill -9', 'acknowledged writes lost', lost, `of ${acked.length}`);
    recordFigure('kill -9', 'restart to healthy after kill -9 (max)', Math.max(...restarts), 'ms');
    recordFigure('kill -9', 'restart to healthy after kill -9 (all)', restarts.join(', '), 'ms');
    expect(acked.length).toBeGreaterThan(0);
    expect(lost).toBe(0);
    recordFigure('kill -9', 'every restart healthy within the 10 s target', restarts.every((ms) => ms < 10_000) ? 'yes' : 'no');
    // The target is 10 s on an idle machine; on a shared two-core one start-up is CPU-bound and
    // stretches with the load, so the hard limit here only catches a hang or a recovery loop.
    expect(Math.max(...restarts)).toBeLessThan(45_000);
  });
});
