import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config.ts';
import { openDb } from '../db/index.ts';
import { runCli } from './main.ts';

/** Runs the CLI in-process, capturing what it prints (progress goes to stderr, not captured). */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await runCli(argv, (l) => out.push(l));
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    spy.mockRestore();
    stderr.mockRestore();
  }
}

// The commands against the embedded database in a temporary DATA_DIR (the CLI reads its config from the environment).
describe('quickchat migrate safety commands', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'qc-migcli-'));
    delete process.env.DATABASE_URL;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('lists plan, lint, verify, docs, backup list and restore in --help', async () => {
    const help = await cli('--help');
    for (const c of ['migrate plan', 'migrate lint', 'migrate verify', 'migrate docs', 'migrate backup list', 'migrate restore'])
      expect(help.out).toContain(c);
  });

  it('plans, applies exactly the plan, reports locks, lists and restores backups', async () => {
    const plan = await cli('migrate', 'plan', '--to', '7', '--json');
    expect(plan.code).toBe(0);
    const plans = JSON.parse(plan.out).migrations as {
      name: string;
      steps: { statements: { sql: string; locks: unknown[]; risk: string; backup: boolean }[] }[];
    }[];
    expect(plans.map((p) => p.name.slice(0, 4))).toEqual(['0001', '0002', '0003', '0004', '0005', '0006', '0007']);
    const drop = plans[6]?.steps[0]?.statements[1];
    expect(drop).toMatchObject({ sql: 'ALTER TABLE media_asset DROP COLUMN owner_type, DROP COLUMN owner_id', backup: true, risk: 'low' });
    const text = await cli('migrate', 'plan', '--to', '2');
    expect(text.out).toContain('ACCESS EXCLUSIVE on expert_profile');

    const up = await cli('migrate', 'up', '--to', '7');
    expect(up.code).toBe(0);
    expect(up.out).toMatch(/applied {5}0007_media_asset_fk_contract \(\d+ ms; lock wait ≤ \d+ ms, ACCESS EXCLUSIVE held ≤ \d+ ms\)/);
    const list = await cli('migrate', 'backup', 'list', '--json');
    const backups = JSON.parse(list.out).backups as { id: number; table_name: string; columns: string[] }[];
    expect(backups.map((b) => [b.table_name, b.columns])).toEqual([['media_asset', ['owner_type', 'owner_id']]]);
    const restore = await cli('migrate', 'restore', String(backups[0]?.id));
    expect(restore.code).toBe(1);
    expect(restore.err).toMatch(/media_asset has no column owner_type, owner_id: roll back 0007_media_asset_fk_contract/);
    expect((await cli('migrate', 'restore', 'x')).err).toMatch(/Give the backup id/);
    // Each up first builds the history on a scratch PGlite for the drift check.
  }, 120_000);

  it('lints (offline, as JSON) and checks that migrations/README.md is current', async () => {
    const lint = await cli('migrate', 'lint', '--offline', '--json');
    const result = JSON.parse(lint.out);
    expect(lint.code).toBe(result.errors ? 1 : 0);
    expect(
      result.findings.some((f: { rule: string; acknowledged: string | null }) => f.rule === 'index-without-concurrently' && f.acknowledged),
    ).toBe(true);
    const docs = await cli('migrate', 'docs', '--check');
    expect(docs.out).toBe('migrations/README.md is up to date.');
    expect(docs.code).toBe(0);
  });

  it('lints as GitHub annotations, SARIF 2.1.0 and a PR summary table', async () => {
    const gh = await cli('migrate', 'lint', '--offline', '--format', 'github');
    const lines = gh.out.split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines)
      expect(l).toMatch(
        /^::(error|warning|notice) file=migrations\/\d{4}_\w+\/((up|down)\.sql|README\.md),line=\d+,title=migrate lint%3A [a-z-]+::/,
      );
    expect(gh.out).toMatch(
      /::notice file=migrations\/\d{4}_\w+\/up\.sql,line=\d+,title=migrate lint%3A index-without-concurrently::.*\(acknowledged: /,
    );
    const sarif = JSON.parse((await cli('migrate', 'lint', '--offline', '--format', 'sarif')).out);
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    const r = run.results.find((x: { ruleId: string }) => x.ruleId === 'index-without-concurrently');
    expect(run.tool.driver.rules[r.ruleIndex].id).toBe('index-without-concurrently');
    expect(r.locations[0].physicalLocation).toMatchObject({
      artifactLocation: { uri: expect.stringMatching(/^migrations\//) },
      region: { startLine: expect.any(Number) },
    });
    expect(r.suppressions[0]).toMatchObject({ kind: 'inSource', justification: expect.any(String) });
    const md = await cli('migrate', 'lint', '--offline', '--format', 'markdown');
    expect(md.out).toContain('| migration | errors | warnings | acknowledged | rules |');
    expect(md.out).toMatch(/\| 0\d{3}_\w+ \| 0 \| \d+ \| \d+ \| .*`index-without-concurrently` \(ack\)/);
    expect((await cli('migrate', 'lint', '--offline', '--format', 'xml')).err).toMatch(
      /--format takes text, json, github, sarif or markdown/,
    );
  });

  it('squashes to a baseline folder, and explains a missing --until', async () => {
    const dir = process.env.DATA_DIR as string;
    const r = await cli('migrate', 'squash', '--until', '3', '--out', dir);
    expect(r.out).toMatch(
      new RegExp(`^Wrote ${dir}/baseline_0003: 3 migrations, schema [0-9a-f]{12} \\(verified on a scratch database\\)\\.$`),
    );
    expect(readFileSync(join(dir, 'baseline_0003', 'up.sql'), 'utf8')).toContain('CREATE TABLE "utm_campaign"');
    expect((await cli('migrate', 'squash')).err).toMatch(/Give --until N/);
  }, 120_000);

  it('saves a plan and applies it; drift blocks up until allowed', async () => {
    const file = join(process.env.DATA_DIR as string, 'plan.json');
    expect((await cli('migrate', 'up', '--to', '2')).code).toBe(0);
    const saved = await cli('migrate', 'plan', '--to', '4', '--out', file);
    expect(saved.out).toBe(`Wrote ${file}: 2 migration(s); apply with migrate up --plan ${file}`);
    expect((await cli('migrate', 'up', '--plan', file)).code).toBe(0);
    expect((await cli('migrate', 'drift')).out).toBe('No drift: the live schema is what the 4 applied migrations build.');
    const d = await openDb(loadConfig());
    await sql`ALTER TABLE question ADD COLUMN hand_note text`.execute(d.db);
    await d.close();
    const drift = await cli('migrate', 'drift');
    expect(drift.code).toBe(1);
    expect(drift.out).toContain(
      'column question.hand_note: not in the history (found: text)\n    ALTER TABLE "question" DROP COLUMN "hand_note";',
    );
    const up = await cli('migrate', 'up', '--to', '5');
    expect(up.code).toBe(1);
    expect(up.err).toMatch(/The live schema differs/);
    expect((await cli('migrate', 'up', '--to', '5', '--allow-drift')).code).toBe(0);
    // Markdown and the stale-plan refusals are covered by src/migrate/saved-plan.test.ts (both databases).
  }, 300_000);
});

describe('backfill progress', () => {
  const event = (scanned: number, done = false) =>
    ({
      type: 'backfill',
      migration: '0005_x',
      table: 'question',
      scanned,
      updated: scanned,
      total: 1000,
      rowsPerSec: 250,
      etaMs: 2000,
      batchMs: 40,
      batchSize: 100,
      done,
    }) as const;

  it('draws a bar with rows, rows/s and ETA in place on a terminal', async () => {
    const { progressRenderer } = await import('./progress.ts');
    let text = '';
    const render = progressRenderer({
      isTTY: true,
      write: (t) => {
        text += t;
      },
    });
    render(event(500));
    render(event(1000, true));
    expect(text).toContain('\r  [############............]  50% question: 500/1,000 rows (500 changed) · 250 rows/s · ETA 2s');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('prints progress lines elsewhere (a log, CI)', async () => {
    const { progressRenderer } = await import('./progress.ts');
    const lines: string[] = [];
    const render = progressRenderer({ isTTY: false, write: (t) => void lines.push(t) });
    render(event(500));
    render(event(600));
    render(event(1000, true));
    expect(lines).toEqual([
      '  backfill 50% question: 500/1,000 rows (500 changed) · 250 rows/s · ETA 2s\n',
      '  backfill 100% question: 1,000/1,000 rows (1,000 changed) · 250 rows/s · ETA 2s (done)\n',
    ]);
  });
});
