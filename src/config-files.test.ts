import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const ROOT = join(import.meta.dirname, '..');

describe('.env.example and the documented requirements', () => {
  it('.env.example can be sourced by a shell, and what it sets is a valid configuration', () => {
    const printed = execFileSync('bash', ['-c', 'set -a; . ./.env.example; env -0'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    const env = Object.fromEntries(
      printed
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    expect(env.MAIL_FROM).toBe('QuickChat <no-reply@localhost>');
    expect(env.CORS_ORIGINS).toBe('*');
    const config = loadConfig({ ...env, DATA_DIR: '/tmp/qc-env-example', JWT_SECRET: 'env-example-secret-0123456789abcdefghij' });
    expect(config.mail.from).toBe('QuickChat <no-reply@localhost>');
  });

  it('the README states the Node version bin/quickchat.js requires', () => {
    const bin = readFileSync(join(ROOT, 'bin/quickchat.js'), 'utf8');
    const [, major, minor] = bin.match(/major < (\d+) \|\| \(major === \1 && minor < (\d+)\)/) ?? [];
    expect(major).toBeDefined();
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`Node.js ≥ ${major}.${minor}`);
    expect(readme).not.toMatch(/Node\.js ≥ (?!\d+\.\d+ )/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.engines.node).toBe(`>=${major}.${minor}`);
  });
});
