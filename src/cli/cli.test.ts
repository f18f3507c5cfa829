import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config.ts';
import { openPglite } from '../db/index.ts';
import { startServer } from '../server.ts';
import { runCli } from './main.ts';

/** Runs the CLI in-process, capturing what it prints. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  try {
    const code = await runCli(argv, (l) => out.push(l));
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

// Each test opens an on-disk PGlite several times: slow on a loaded two-core machine.
describe('quickchat CLI', { timeout: 180_000 }, () => {
  const saved = { ...process.env };
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'qc-cli-'));
    process.env.DATA_DIR = dataDir;
    delete process.env.DATABASE_URL;
    delete process.env.JWT_SECRET;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('lists its commands with --help and explains each one', async () => {
    const all = await cli('--help');
    expect(all.code).toBe(0);
    for (const c of ['serve', 'migrate status', 'migrate up', 'migrate down', 'migrate new']) expect(all.out).toContain(c);
    const one = await cli('migrate', 'down', '--help');
    expect(one.code).toBe(0);
    expect(one.out).toContain('Usage: quickchat migrate down [options]');
    expect(one.out).toContain('--to N');
  });

  it('rejects unknown commands and options in one line with exit 1', async () => {
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe('error: Unknown command "frobnicate". Run quickchat --help for the list.');
    const badOpt = await cli('migrate', 'up', '--bogus');
    expect(badOpt.code).toBe(1);
    expect(badOpt.err).toMatch(/^error: Unknown option '--bogus'.*see: quickchat migrate up --help/);
    const badTo = await cli('migrate', 'up', '--to', 'x');
    expect(badTo.err).toBe('error: --to takes a whole number, got "x"');
  });

  it('migrates the embedded database up, reports status as JSON, and round-trips down and up', async () => {
    const up = await cli('migrate', 'up', '--json');
    expect(up.code).toBe(0);
    const applied = JSON.parse(up.out).applied as string[];
    expect(applied.length).toBeGreaterThanOrEqual(8);
    const status = JSON.parse((await cli('migrate', 'status', '--json')).out);
    expect(status.migrations.map((m: { state: string }) => m.state)).toEqual(applied.map(() => 'applied'));
    const down = await cli('migrate', 'down');
    expect(down.out).toContain(`rolled back ${applied.at(-1)}`);
    const again = await cli('migrate', 'up');
    expect(again.out).toMatch(new RegExp(`applied\\s+${applied.at(-1)}`));
    expect(existsSync(join(dataDir, 'jwt-secret'))).toBe(true);
  });

  it('lists the background jobs and runs one on demand, in a dry run by request', async () => {
    const early = await cli('jobs', 'list');
    expect(early.code).toBe(1);
    expect(early.err).toMatch(
      /^error: The database has \d+ pending migration\(s\) \(0001_initial_schema…\): run quickchat migrate up first\.$/,
    );
    expect((await cli('migrate', 'up')).code).toBe(0);
    const list = await cli('jobs', 'list', '--json');
    expect(list.code).toBe(0);
    const names = JSON.parse(list.out).jobs.map((j: { name: string }) => j.name);
    expect(names).toEqual(expect.arrayContaining(['expire-offers', 'expire-sla', 'daily-digest', 'cleanup-media', 'deliver-emails']));
    const run = await cli('jobs', 'run', 'daily-digest', '--dry-run', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual({
      job: 'daily-digest',
      dryRun: true,
      summary: { items: 0, failed: 0, queued: 0, alreadySent: 0, questions: 0 },
    });
    const after = JSON.parse((await cli('jobs', 'list', '--json')).out).jobs.find((j: { name: string }) => j.name === 'daily-digest');
    expect(after).toMatchObject({ lastStatus: 'succeeded', schedule: '0 8 * * *', failures: 0 });
    const unknown = await cli('jobs', 'run', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^error: Name a job: expire-offers, expire-sla/);
    // The queues: listed with their depth before any worker installed pg-boss; nothing failed yet.
    expect(JSON.parse(list.out).queues).toEqual([
      { queue: 'email-deliver', queued: 0, active: 0, failed: 0, deadLettered: 0, completed: 0 },
      { queue: 'payment-action', queued: 0, active: 0, failed: 0, deadLettered: 0, completed: 0 },
      { queue: 'file-delete', queued: 0, active: 0, failed: 0, deadLettered: 0, completed: 0 },
    ]);
    expect(await cli('jobs', 'failed')).toMatchObject({ code: 0, out: 'No failed jobs.' });
    expect((await cli('jobs', 'failed', '--limit', '0')).err).toBe('error: --limit takes a whole number above 0, got "0"');
    expect((await cli('jobs', 'retry')).err).toBe('error: Name a job id: quickchat jobs failed lists them.');
    const missing = await cli('jobs', 'retry', '00000000-0000-4000-8000-000000000000');
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(
      'error: No job 00000000-0000-4000-8000-000000000000 in the queues email-deliver, payment-action, file-delete.',
    );
  });

  it('refuses to open a data directory another process holds', async () => {
    // A live process (not this one) holding the lock, as a running server would.
    const child = spawn(process.execPath, [
      '-e',
      `require('node:fs').writeFileSync(${JSON.stringify(join(dataDir, 'pglite.lock'))}, JSON.stringify({pid: process.pid, holder: 'quickchat serve'})); setTimeout(() => {}, 20000)`,
    ]);
    await new Promise((r) => setTimeout(r, 300));
    try {
      const res = await cli('migrate', 'status');
      expect(res.code).toBe(1);
      expect(res.err).toBe(
        `error: DATA_DIR ${dataDir} is in use by quickchat serve (pid ${child.pid}, since an unknown time). Stop it first, or point both at PostgreSQL with DATABASE_URL.`,
      );
    } finally {
      child.kill();
    }
  });
});

describe('server start-up', { timeout: 180_000 }, () => {
  it('keeps its data across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qc-srv-'));
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' });
    const first = await startServer(config);
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
    await first.stop('test');
    const db = await openPglite(join(dataDir, 'pglite'));
    await db.db.insertInto('user').values({ email: 'kept@example.test', auth_provider: 'magic_link' }).execute();
    await db.close();
    const second = await startServer(config);
    const health = await fetch(`${second.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok', database: 'pglite' });
    await second.stop('test');
    const again = await openPglite(join(dataDir, 'pglite'));
    const kept = await again.db.selectFrom('user').select('email').execute();
    await again.close();
    expect(kept).toEqual([{ email: 'kept@example.test' }]);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim().length).toBeGreaterThan(40);
  });

  it('starts with `npm start`, answers /health, and exits cleanly on SIGTERM releasing the lock', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qc-main-'));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, ['src/main.ts'], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: 'pipe',
    });
    let stderr = '';
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let ok = false;
    for (let i = 0; i < 400 && !ok; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
    }
    expect(ok, stderr).toBe(true);
    const lockFiles = () => readdirSync(dataDir).filter((f) => f.startsWith('pglite.lock'));
    expect(lockFiles()).toHaveLength(2); // the claim and its held marker
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lockFiles()).toEqual([]);
  });
});
