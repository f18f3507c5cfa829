import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { raceLock } from '../../test/lock-race.ts';
import { DataDirLockedError, lockDataDir, processStart } from './lock.ts';

const ONE_LINE = /^refused DATA_DIR \S+ is in use by race \d+ \(pid \d+, since [\dT:.Z-]+\)\. Stop it first/;

describe('DATA_DIR lock', { timeout: 120_000 }, () => {
  for (const fixture of ['none', 'stale', 'reused-pid'] as const) {
    it(`lets exactly one of 20 concurrent starts in (${fixture} lock file left before)`, async () => {
      const { holders, refused } = await raceLock(20, fixture);
      expect(holders).toBe(1);
      expect(refused).toHaveLength(19);
      for (const line of refused) expect(line).toMatch(ONE_LINE);
    });
  }

  it('takes over a claim whose pid now belongs to another process, and refuses a live one naming it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qc-lock-'));
    // This very process, but "started" at another time: the pid was reused.
    const reused = { pid: process.pid, start: 'other-boot:1', host: hostname(), holder: 'quickchat serve', since: '2020-01-01T00:00:00Z' };
    writeFileSync(join(dataDir, 'pglite.lock.1-aa'), JSON.stringify(reused));
    writeFileSync(join(dataDir, 'pglite.lock.1-aa.held'), '');
    const lock = await lockDataDir(dataDir, 'test');
    expect(readdirSync(dataDir).filter((f) => f.startsWith('pglite.lock.') && !f.endsWith('.held'))).toHaveLength(1);
    // A live holder (a child process, real start time): refused with its pid and name.
    lock.release();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    await new Promise((r) => child.on('spawn', r));
    const pid = child.pid as number;
    const live = { pid, start: processStart(pid), host: hostname(), holder: 'quickchat serve', since: '2026-01-01T00:00:00Z' };
    writeFileSync(join(dataDir, 'pglite.lock.2-bb'), JSON.stringify(live));
    writeFileSync(join(dataDir, 'pglite.lock.2-bb.held'), '');
    try {
      const err = await lockDataDir(dataDir, 'test').catch((e) => e);
      expect(err).toBeInstanceOf(DataDirLockedError);
      expect(err.message).toBe(
        `DATA_DIR ${dataDir} is in use by quickchat serve (pid ${pid}, since 2026-01-01T00:00:00Z). Stop it first, or point both at PostgreSQL with DATABASE_URL.`,
      );
    } finally {
      child.kill();
    }
  });

  it('names the host of a claim made on another machine (it cannot be checked from here)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qc-lock-'));
    const remote = { pid: 4242, start: 'x:1', host: 'elsewhere', holder: 'quickchat serve', since: '2026-01-01T00:00:00Z' };
    writeFileSync(join(dataDir, 'pglite.lock.3-cc'), JSON.stringify(remote));
    writeFileSync(join(dataDir, 'pglite.lock.3-cc.held'), '');
    await expect(lockDataDir(dataDir, 'test')).rejects.toThrow(/in use by quickchat serve \(pid 4242 on host elsewhere,/);
  });
});
