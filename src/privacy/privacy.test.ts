import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.ts';
import { runCli } from '../cli/main.ts';
import { runJob } from '../jobs/runner.ts';
import { mediaTestApp } from '../media/test-helpers.ts';
import { loadForeignKeys } from './catalog.ts';
import { FK_DECISIONS, PERSONAL_COLUMNS } from './registry.ts';
import { privacyRetentionJob } from './retention.ts';

let t: TestApp;
beforeAll(async () => {
  t = await mediaTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('foreign-key decisions', () => {
  it('records an explicit ON DELETE decision for every foreign key of the schema, matching the catalog', async () => {
    const fks = await loadForeignKeys(t.database.db);
    expect(fks.length).toBeGreaterThan(30);
    const problems: string[] = [];
    for (const fk of fks) {
      const d = FK_DECISIONS[fk.name];
      if (fk.onDelete === 'no action') problems.push(`${fk.name}: no explicit ON DELETE (add CASCADE, SET NULL or RESTRICT)`);
      if (!d)
        problems.push(
          `${fk.name} (${fk.table}.${fk.columns} → ${fk.refTable}): add its decision to FK_DECISIONS in src/privacy/registry.ts`,
        );
      else if (d.onDelete !== fk.onDelete) problems.push(`${fk.name}: the registry says ${d.onDelete}, the database ${fk.onDelete}`);
    }
    for (const name of Object.keys(FK_DECISIONS)) {
      if (!fks.some((f) => f.name === name)) problems.push(`${name}: in FK_DECISIONS but not in the schema (remove it)`);
    }
    expect(problems).toEqual([]);
  });

  it('registers only columns that exist', async () => {
    const { listTextColumns } = await import('./catalog.ts');
    const cols = new Set((await listTextColumns(t.database.db)).map((c) => `${c.table}.${c.column}`));
    expect(PERSONAL_COLUMNS.filter((c) => !cols.has(`${c.table}.${c.column}`))).toEqual([]);
  });
});

describe('privacy-retention job', () => {
  it('deletes pseudonymised payments after retain_until, expired exports, delivered erasure e-mails and old codes', async () => {
    const db = t.database.db;
    const now = t.ctx.now();
    const day = 24 * 3600_000;
    const pay = (id: string, retain: Date | null) => ({
      stripe_payment_intent_id: id,
      amount_cents: 100,
      status: 'captured' as const,
      retain_until: retain,
      question_id: null,
    });
    await db
      .insertInto('payment')
      .values([
        pay('pi_ret_old', new Date(now.getTime() - 1000)),
        pay('pi_ret_new', new Date(now.getTime() + day)),
        pay('pi_ret_none', null),
      ])
      .execute();
    const mail = (template: string, status: 'sent' | 'pending') => ({
      template,
      to_address: 'gone@example.test',
      subject: 's',
      text_body: 't',
      html_body: 'h',
      status,
    });
    await db
      .insertInto('email_outbox')
      .values([mail('account-deleted', 'sent'), mail('account-deleted', 'pending'), mail('welcome', 'sent')])
      .execute();
    const summary = await runJob(t.ctx, privacyRetentionJob, { trigger: 'cli' });
    expect(summary).toMatchObject({ payments: 1, emails: 1 });
    const left = await db
      .selectFrom('payment')
      .select('stripe_payment_intent_id')
      .where('stripe_payment_intent_id', 'like', 'pi_ret_%')
      .execute();
    expect(left.map((p) => p.stripe_payment_intent_id).sort()).toEqual(['pi_ret_new', 'pi_ret_none']);
    const mails = await db
      .selectFrom('email_outbox')
      .select(['template', 'status'])
      .where('to_address', '=', 'gone@example.test')
      .execute();
    expect(mails).toEqual(
      expect.arrayContaining([
        { template: 'account-deleted', status: 'pending' },
        { template: 'welcome', status: 'sent' },
      ]),
    );
    expect(mails).toHaveLength(2);
  });
});

describe('quickchat privacy outbox', () => {
  it('prints the pending items and their health as JSON', async () => {
    const saved = { ...process.env };
    const out: string[] = [];
    process.env.LOG_LEVEL = 'silent';
    try {
      if (t.database.connectionString) {
        // PostgreSQL: point the CLI at this test's (migrated) database.
        process.env.DATABASE_URL = t.database.connectionString;
        process.env.JWT_SECRET = t.ctx.config.jwtSecret;
      } else {
        process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'qc-privacy-cli-'));
        delete process.env.DATABASE_URL;
        expect(await runCli(['migrate', 'up'], (l) => out.push(l))).toBe(0);
        out.length = 0;
      }
      await t.database.db.deleteFrom('file_deletion_outbox').execute();
      const code = await runCli(['privacy', 'outbox', '--json'], (l) => out.push(l));
      expect({ code, out }).toMatchObject({ code: 0 });
      expect(JSON.parse(out.join('\n'))).toMatchObject({ pending: 0, failing: 0, oldestPendingAgeSeconds: 0, items: [] });
      out.length = 0;
      expect(await runCli(['privacy', 'outbox'], (l) => out.push(l))).toBe(0);
      expect(out.join('\n')).toContain('0 pending (0 failing)');
    } finally {
      process.env = saved;
    }
  }, 60_000);
});
