import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { startServer } from '../server.ts';

describe('the admin console listener in the server', { timeout: 180_000 }, () => {
  it('listens on ADMIN_PORT beside the main API, serves the console, and stops with it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'qc-console-srv-'));
    const dist = mkdtempSync(join(tmpdir(), 'qc-console-dist-'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>mindPick admin</title>');
    const server = await startServer(
      loadConfig({ DATA_DIR: dataDir, PORT: '0', ADMIN_PORT: '0', ADMIN_STATIC_DIR: dist, WORKERS: 'false', LOG_LEVEL: 'silent' }),
    );
    try {
      expect(server.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.adminUrl).not.toBe(server.url);
      const page = await fetch(`${server.adminUrl}/feedback`, { headers: { accept: 'text/html' } });
      expect([page.status, await page.text()]).toEqual([200, '<!doctype html><title>mindPick admin</title>']);
      const me = await fetch(`${server.adminUrl}/api/me`, { headers: { accept: 'text/html' } });
      expect([me.status, ((await me.json()) as { code: string }).code]).toEqual([401, 'admin_session_required']);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      await server.stop('test');
    }
    await expect(fetch(`${server.adminUrl}/api/me`)).rejects.toThrow();
  });

  it('is off when ADMIN_PORT is unset', async () => {
    const server = await startServer(
      loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'qc-console-off-')), PORT: '0', WORKERS: 'false', LOG_LEVEL: 'silent' }),
    );
    expect(server.adminUrl).toBeNull();
    await server.stop('test');
  });

  it('refuses an ADMIN_STATIC_DIR without index.html and a bad ADMIN_ORIGIN', () => {
    expect(() => loadConfig({ ADMIN_PORT: '4000', ADMIN_STATIC_DIR: tmpdir(), DATA_DIR: tmpdir() })).toThrow(/index\.html/);
    expect(() => loadConfig({ ADMIN_ORIGIN: 'admin.example.com', DATA_DIR: tmpdir() })).toThrow(/ADMIN_ORIGIN/);
    expect(() => loadConfig({ ADMIN_ORIGIN: 'https://admin.example.com/path', DATA_DIR: tmpdir() })).toThrow(/ADMIN_ORIGIN/);
    expect(() => loadConfig({ ADMIN_PORT: 'x', DATA_DIR: tmpdir() })).toThrow(/ADMIN_PORT/);
    expect(
      loadConfig({ ADMIN_ORIGIN: 'https://admin.example.com, http://localhost:5174', DATA_DIR: tmpdir() }).adminConsole.origins,
    ).toEqual(['https://admin.example.com', 'http://localhost:5174']);
  });
});
