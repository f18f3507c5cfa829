import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { startServer } from './server.ts';

/** Every path under dir with its permission bits. */
function modes(dir: string): { path: string; mode: number; dir: boolean }[] {
  const out: { path: string; mode: number; dir: boolean }[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    out.push({ path: p, mode: st.mode & 0o777, dir: st.isDirectory() });
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
  };
  walk(dir);
  return out;
}

describe('DATA_DIR permissions', { timeout: 180_000 }, () => {
  it('creates DATA_DIR 0700 and every file 0600: PGlite files, the secret, outbox e-mails with sign-in codes', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'qc-modes-')), 'data');
    const server = await startServer(loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', MAIL_POLL_MS: '100' }));
    try {
      const res = await fetch(`${server.url}/api/auth/magic-link/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'modes@example.test' }),
      });
      expect(res.status).toBe(200);
      for (let i = 0; i < 100 && readdirSync(join(dataDir, 'outbox')).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await server.stop('test');
    }
    const all = modes(dataDir);
    const eml = all.filter((f) => f.path.endsWith('.eml'));
    expect(eml).toHaveLength(1);
    expect(readFileSync(eml[0]?.path as string, 'utf8')).toContain('modes@example.test');
    expect(all.filter((f) => f.path.includes('/pglite/') && !f.dir).length).toBeGreaterThan(100);
    const open = all.filter((f) => f.mode !== (f.dir ? 0o700 : 0o600)).map((f) => `${f.path} ${f.mode.toString(8)}`);
    expect(open).toEqual([]);
  });
});
