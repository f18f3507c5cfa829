import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './main.ts';

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

describe('quickchat admin create / list / disable', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'qc-cli-admin-'));
    delete process.env.DATABASE_URL;
    delete process.env.JWT_SECRET;
  });
  afterAll(() => {
    process.env = { ...saved };
  });

  it('creates the first admin on a fresh embedded database, lists it and disables it', async () => {
    expect((await cli('migrate', 'up', '--json')).code).toBe(0);
    const created = await cli('admin', 'create', '--email', 'Root@Example.test', '--role', 'super_admin', '--json');
    expect(created.code, created.err).toBe(0);
    expect(JSON.parse(created.out)).toMatchObject({ email: 'root@example.test', role: 'super_admin', userCreated: true });

    const listed = await cli('admin', 'list', '--json');
    expect(JSON.parse(listed.out).admins).toEqual([
      { id: expect.any(Number), email: 'root@example.test', role: 'super_admin', disabled: false, last_login_at: null },
    ]);
    const disabled = await cli('admin', 'disable', '--email', 'root@example.test');
    expect(disabled.code).toBe(0);
    expect(JSON.parse((await cli('admin', 'list', '--json')).out).admins[0].disabled).toBe(true);
  }, 120_000); // five opens of an on-disk PGlite, one of them migrating it

  it('explains missing or invalid options in one line with exit 1', async () => {
    const missing = await cli('admin', 'create', '--email', 'a@b.test');
    expect([missing.code, missing.err]).toEqual([1, expect.stringMatching(/^error: Give --email and --role/)]);
    const badRole = await cli('admin', 'create', '--email', 'a@b.test', '--role', 'root');
    expect([badRole.code, badRole.err]).toEqual([1, 'error: Role must be one of super_admin, support_admin, got "root".']);
    const unknown = await cli('admin', 'disable', '--email', 'nobody@b.test');
    expect([unknown.code, unknown.err]).toEqual([1, 'error: No admin with the e-mail nobody@b.test.']);
    expect((await cli('--help')).out).toContain('admin create');
  }, 60_000);
});
