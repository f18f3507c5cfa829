import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDatabase } from '../../test/db.ts';
import type { Database } from './database.ts';
import { loadMigrations, MIGRATIONS_DIR, migrateUp, SRC_DIR } from './index.ts';
import { lintMigrations, RULES } from './lint/index.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/lint', import.meta.url));
const APP_SRC = join(FIXTURES, 'app-src');
const base = () => loadMigrations(join(FIXTURES, 'base'));
const cases = (kind: 'dangerous' | 'safe') => readdirSync(join(FIXTURES, kind)).sort();
const load = (kind: 'dangerous' | 'safe', name: string) => [...base(), ...loadMigrations(join(FIXTURES, kind, name))];
const DATA_RULES = ['probe-nulls', 'probe-duplicates', 'probe-violations'];

describe('migrate lint: one dangerous migration per rule', () => {
  it('has a dangerous fixture for every rule', () => {
    // breaks-previous-release needs a git history (a previous release): lint/compat.test.ts builds one.
    expect(cases('dangerous')).toEqual(
      Object.keys(RULES)
        .filter((r) => r !== 'breaks-previous-release')
        .sort(),
    );
  });

  for (const name of cases('dangerous').filter((n) => !DATA_RULES.includes(n))) {
    it(`flags ${name}`, async () => {
      const result = await lintMigrations(load('dangerous', name), { srcDir: APP_SRC });
      const hit = result.findings.find((f) => f.rule === name && !f.migration.startsWith('0001'));
      expect(hit, JSON.stringify(result.findings)).toBeDefined();
      expect(hit?.message).toMatch(/\S/);
      expect(hit?.fix).toBe(RULES[name as keyof typeof RULES].fix);
      expect(hit?.line).toBeGreaterThan(0);
      if (RULES[name as keyof typeof RULES].severity === 'error') expect(result.errors).toBeGreaterThan(0);
    });
  }

  it('leaves the base migration (tables and indexes created in one migration) unflagged', async () => {
    const result = await lintMigrations(base(), { srcDir: APP_SRC });
    expect(result.findings).toEqual([]);
  });
});

describe('migrate lint: safe migrations', () => {
  for (const name of cases('safe')) {
    it(`does not flag ${name}`, async () => {
      const result = await lintMigrations(load('safe', name), { srcDir: APP_SRC });
      expect(result.findings.filter((f) => !f.acknowledged)).toEqual([]);
      expect(result.errors).toBe(0);
    });
  }

  it('counts an acknowledged finding with its reason instead of failing', async () => {
    const result = await lintMigrations(load('safe', 'acknowledged'), { srcDir: APP_SRC });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      rule: 'index-without-concurrently',
      statement: 1,
      acknowledged: expect.stringContaining('milliseconds'),
    });
    expect(result.acknowledged).toBe(1);
  });
});

describe('migrate lint: data-aware probes against the target database', () => {
  let d: Database;
  beforeAll(async () => {
    d = await emptyDatabase();
    await migrateUp(d.db, base());
    await sql`INSERT INTO account (email) VALUES ('a@x.example'), ('A@x.example'), ('b@x.example')`.execute(d.db);
    await sql`INSERT INTO note (account_id, body, score) VALUES (1, 'ok', 3), (1, NULL, -2), (2, NULL, 5)`.execute(d.db);
  });
  afterAll(() => d.close());

  const probe = async (kind: 'dangerous' | 'safe', name: string) =>
    lintMigrations(load(kind, name), { db: d.db, srcDir: APP_SRC, pendingOnly: true });

  it('finds the NULLs that would make SET NOT NULL fail', async () => {
    const r = await probe('dangerous', 'probe-nulls');
    expect(r.findings.find((f) => f.rule === 'probe-nulls')?.message).toMatch(/^2 rows of note have body NULL/);
  });

  it('finds the duplicates that would make a unique index fail, expressions included', async () => {
    const r = await probe('dangerous', 'probe-duplicates');
    expect(r.findings.find((f) => f.rule === 'probe-duplicates')?.message).toMatch(
      /^1 values of \(lower\(email\)\) occur more than once in account/,
    );
  });

  it('finds the rows that violate a CHECK before it is validated', async () => {
    const r = await probe('dangerous', 'probe-violations');
    const hits = r.findings.filter((f) => f.rule === 'probe-violations');
    expect(hits.map((f) => f.message)).toEqual([
      '1 rows of note violate note_score_check (score >= 0): validating it would fail on the target database.',
    ]);
  });

  it('finds nothing when the data allows the change', async () => {
    const r = await probe('safe', 'unique-using-index');
    expect(r.findings.filter((f) => f.rule.startsWith('probe-'))).toEqual([]);
    const nn = await probe('safe', 'foreign-key-not-valid-then-validate');
    expect(nn.findings).toEqual([]);
  });

  it('probes only migrations that are not applied yet', async () => {
    const r = await lintMigrations(base(), { db: d.db, srcDir: APP_SRC, pendingOnly: true });
    expect(r.migrations).toBe(0);
  });
});

describe('migrate lint on the project', () => {
  it('passes over every migration: each finding is fixed or acknowledged with a reason', async () => {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const result = await lintMigrations(migrations, { srcDir: SRC_DIR });
    const open = result.findings.filter((f) => f.severity === 'error' && !f.acknowledged);
    expect(open.map((f) => `${f.file}:${f.line} ${f.rule}`)).toEqual([]);
  });

  it('allows 0007 to drop the owner columns that 0006 deprecated, and the app no longer uses them', async () => {
    const result = await lintMigrations(loadMigrations(MIGRATIONS_DIR), { srcDir: SRC_DIR });
    const f0007 = result.findings.filter((f) => f.migration === '0007_media_asset_fk_contract');
    expect(f0007.map((f) => f.rule)).toEqual(['index-without-concurrently']);
    expect(f0007[0]?.acknowledged).toMatch(/ACCESS EXCLUSIVE/);
  });
});
