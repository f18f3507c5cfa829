import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_EXAMPLE, renderConfigTables, renderEnvExample } from '../scripts/gen-config-docs.ts';
import { currentSection, README } from '../scripts/readme-sections.ts';
import { loadConfig } from './config.ts';
import type { Env } from './config-env.ts';
import { CONFIG_SECTIONS } from './config-vars.ts';

const VARIABLES = CONFIG_SECTIONS.flatMap((s) => s.variables);
const DATA_DIR = mkdtempSync(join(tmpdir(), 'qc-config-vars-'));

/** The embedded default: only what every configuration needs. */
const DEFAULT_ENV: Env = { DATA_DIR, JWT_SECRET: 'config-vars-test-secret-0123456789abcdef' };

/** Every optional part switched on at once, so that every variable is read. */
const EVERYTHING_ON: Env = {
  ...DEFAULT_ENV,
  DATABASE_URL: 'postgres://qc@127.0.0.1:5432/qc',
  PAYMENTS: 'stripe',
  STRIPE_SECRET_KEY: 'sk_test_config',
  STRIPE_WEBHOOK_SECRET: 'whsec_config',
  MAIL: 'smtp',
  SMTP_HOST: 'smtp.example.com',
  STORAGE: 's3',
  S3_BUCKET: 'qc-bucket',
  S3_ACCESS_KEY_ID: 'AKIA',
  S3_SECRET_ACCESS_KEY: 'secret',
  VIDEO: 'cloudflare-stream',
  CLOUDFLARE_ACCOUNT_ID: 'acct',
  CLOUDFLARE_STREAM_API_TOKEN: 'token',
  CLOUDFLARE_STREAM_CUSTOMER_CODE: 'code',
  COACH: 'openai',
  COACH_OPENAI_API_KEY: 'sk-coach',
  ADMIN_PORT: '3100',
  TICKETS: 'jira',
  JIRA_BASE_URL: 'https://team.atlassian.net',
  JIRA_EMAIL: 'ops@example.com',
  JIRA_API_TOKEN: 'jira-token',
  JIRA_PROJECT_KEY: 'FB',
  GOOGLE_CLIENT_ID: 'g-id',
  GOOGLE_CLIENT_SECRET: 'g-secret',
  LINKEDIN_CLIENT_ID: 'l-id',
  LINKEDIN_CLIENT_SECRET: 'l-secret',
};

/** The names loadConfig reads from `env` (every property access, set or not). */
function namesRead(env: Env): Set<string> {
  const read = new Set<string>();
  loadConfig(
    new Proxy(env, {
      get(target, name) {
        if (typeof name === 'string') read.add(name);
        return target[name as string];
      },
    }),
  );
  return read;
}

describe('the configuration variable list (src/config-vars.ts)', () => {
  it('names each variable once, and each section starts with a documented one', () => {
    const names = VARIABLES.map((v) => v.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    for (const s of CONFIG_SECTIONS) expect(s.variables[0]?.doc, s.title).toBeTruthy();
  });

  it('lists exactly the variables loadConfig reads', () => {
    const read = new Set([...namesRead(DEFAULT_ENV), ...namesRead(EVERYTHING_ON)]);
    const listed = new Set(VARIABLES.map((v) => v.name));
    expect(
      [...read].filter((n) => !listed.has(n)),
      'read but not listed',
    ).toEqual([]);
    expect(
      [...listed].filter((n) => !read.has(n)),
      'listed but never read',
    ).toEqual([]);
  });

  it('states each default truly: setting a variable to its example value changes nothing', () => {
    const bases = [DEFAULT_ENV, EVERYTHING_ON].map((env) => ({ env, config: loadConfig(env) }));
    const checked: string[] = [];
    for (const v of VARIABLES.filter((x) => x.example !== '')) {
      for (const base of bases.filter((b) => b.env[v.name] === undefined)) {
        expect(loadConfig({ ...base.env, [v.name]: v.example }), v.name).toEqual(base.config);
        checked.push(v.name);
      }
    }
    // DATA_DIR is set by every base: its default (./data) would be created in the working directory.
    const unchecked = VARIABLES.filter((x) => x.example !== '' && !checked.includes(x.name)).map((x) => x.name);
    expect(unchecked).toEqual(['DATA_DIR']);
  });

  it('.env.example and the README tables are as `npm run docs:config` writes them', () => {
    expect(readFileSync(ENV_EXAMPLE, 'utf8'), '.env.example is stale: run npm run docs:config').toBe(renderEnvExample());
    const section = currentSection(readFileSync(README, 'utf8'), 'config');
    expect(section, 'README.md lacks the config markers').not.toBeNull();
    expect(section, 'README.md is stale: run npm run docs:config').toBe(renderConfigTables());
  });
});
