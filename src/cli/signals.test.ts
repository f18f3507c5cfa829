import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('stopping the server', () => {
  it('SIGTERM to `npm start` (not only to node) stops the server gracefully and releases DATA_DIR', { timeout: 180_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qc-npm-'));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const npm = spawn('npm', ['start'], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' },
      stdio: 'pipe',
    });
    let output = '';
    npm.stdout.on('data', (b) => {
      output += b;
    });
    const exited = new Promise<number | null>((r) => npm.on('exit', (code) => r(code)));
    const health = () =>
      fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.status,
        () => 0,
      );
    let status = 0;
    for (let i = 0; i < 600 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = await health();
    }
    expect(status, output.slice(-2000)).toBe(200);
    npm.kill('SIGTERM');
    await exited;
    // The server itself must be gone too, not orphaned behind npm: nothing answers, the lock is released.
    for (let i = 0; i < 100 && (await health()) !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await health()).toBe(0);
    // The lock is released only by the graceful stop (a killed server leaves its claim behind).
    const lockFiles = () => readdirSync(dataDir).filter((f) => f.startsWith('pglite.lock'));
    for (let i = 0; i < 400 && lockFiles().length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(lockFiles(), output.slice(-1500)).toEqual([]);
  });
});
