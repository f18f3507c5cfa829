import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isPostgres } from '../../test/db.ts';
import { adminUrl, databaseUrl } from '../../test/pg-urls.ts';
import { openPostgres } from '../db/index.ts';
import { runCli } from './main.ts';

const SECRET = 'operator-test-secret-0123456789abcdefghij';

/** Runs the CLI in-process with exactly this environment; returns the exit code and what it printed. */
async function cli(env: Record<string, string>, ...argv: string[]) {
  const saved = process.env;
  process.env = { PATH: saved.PATH ?? '', ...env };
  const out: string[] = [];
  const err: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  try {
    const code = await runCli(argv, (l) => out.push(l));
    return { code, out: out.join('\n'), err };
  } finally {
    spy.mockRestore();
    process.env = saved;
  }
}

const tmp = () => mkdtempSync(join(tmpdir(), 'qc-op-'));

describe('operator configuration errors: one line naming the variable, exit 1', { timeout: 60_000 }, () => {
  afterEach(() => vi.restoreAllMocks());
  const aFile = () => {
    const f = join(tmp(), 'not-a-dir');
    writeFileSync(f, 'x');
    return f;
  };
  const emptySecretDir = () => {
    const d = tmp();
    writeFileSync(join(d, 'jwt-secret'), '\n');
    return d;
  };
  const cases: [string, () => Record<string, string>, RegExp][] = [
    [
      'an unparsable DATABASE_URL',
      () => ({ DATABASE_URL: 'postgres://a b@[::1', JWT_SECRET: SECRET }),
      /^error: DATABASE_URL must look like/,
    ],
    [
      'a DATABASE_URL without a user',
      () => ({ DATABASE_URL: 'postgres://127.0.0.1/db', JWT_SECRET: SECRET }),
      /^error: DATABASE_URL .*names no user$/,
    ],
    ['a DATABASE_URL that is not PostgreSQL', () => ({ DATABASE_URL: 'mysql://u@h/db' }), /^error: DATABASE_URL must look like/],
    [
      'an unreachable DATABASE_URL',
      () => ({ DATABASE_URL: 'postgres://u@127.0.0.1:1/db', JWT_SECRET: SECRET, DATA_DIR: tmp() }),
      /^error: DATABASE_URL: cannot reach PostgreSQL \(ECONNREFUSED\)$/,
    ],
    ['a DATA_DIR that is a file', () => ({ DATA_DIR: aFile() }), /^error: DATA_DIR must be a directory, but .* is a file$/],
    ['a DATA_DIR under /proc', () => ({ DATA_DIR: '/proc/self/quickchat' }), /^error: DATA_DIR must be on a disk, not under \/proc/],
    ['a misspelt LOG_LEVEL', () => ({ LOG_LEVEL: 'inof', DATA_DIR: tmp() }), /^error: LOG_LEVEL must be one of fatal, error, warn, info/],
    ['a JWT_SECRET under 32 bytes', () => ({ JWT_SECRET: 'ab', DATA_DIR: tmp() }), /^error: JWT_SECRET must be at least 32 bytes$/],
    [
      'an empty generated secret file',
      () => ({ DATA_DIR: emptySecretDir() }),
      /^error: JWT_SECRET: .*jwt-secret holds a secret shorter than 32 bytes/,
    ],
    [
      'no JWT_SECRET with DATABASE_URL (serve)',
      () => ({ DATABASE_URL: 'postgres://u@127.0.0.1:1/db', DATA_DIR: tmp() }),
      /^error: JWT_SECRET is required with DATABASE_URL/,
    ],
  ];
  for (const [what, env, message] of cases) {
    it(`refuses ${what}`, async () => {
      const r = await cli(env(), 'serve');
      expect(r.code).toBe(1);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(message);
    });
  }

  it('exits the real process with code 1 and one line on stderr (no stack trace)', () => {
    const r = spawnSync(process.execPath, ['src/main.ts'], { env: { PATH: process.env.PATH, LOG_LEVEL: 'verbose' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: LOG_LEVEL must be one of /)]);
  });

  it('lists a command group for `migrate backup --help`', async () => {
    const r = await cli({}, 'migrate', 'backup', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('quickchat migrate backup list');
  });
});

describe.runIf(isPostgres())('CLI on PostgreSQL without JWT_SECRET', { timeout: 60_000 }, () => {
  it('runs migrate status (it signs nothing) but serve still demands the secret', async () => {
    const base = process.env.TEST_DATABASE_URL as string;
    const name = `qc_op_${process.pid}`;
    const admin = openPostgres(adminUrl(base), 1);
    await sql.raw(`CREATE DATABASE ${name}`).execute(admin.db);
    try {
      const env = { DATABASE_URL: databaseUrl(base, name), DATA_DIR: tmp() };
      const status = await cli(env, 'migrate', 'status', '--json');
      expect(status.err).toEqual([]);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.out).migrations.length).toBeGreaterThan(5);
      const serve = await cli(env, 'serve');
      expect(serve.err).toEqual([expect.stringMatching(/^error: JWT_SECRET is required with DATABASE_URL/)]);
    } finally {
      await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin.db);
      await admin.close();
    }
  });
});
