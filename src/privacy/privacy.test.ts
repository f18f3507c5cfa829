import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/app.ts';
import { runCli } from '../cli/main.ts';
import { runJob } from '../jobs/runner.ts';
import { mediaTestApp } from '../media/test-helpers.ts';
import { loadForeignKeys } from './catalog.ts';
import { fileDeletionOutboxJob, outboxRetryDelayMs, workFileDeletionOutbox } from './outbox.ts';
import { doneKey } from './outbox-queries.ts';
import { FK_DECISIONS, PERSONAL_COLUMNS } from './registry.ts';
import { privacyRetentionJob } from './retention.ts';

let t: TestApp;
beforeAll(async () => {
  t = await mediaTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function queue(items: { target: 'storage' | 'video' | 'payment_intent'; key: string }[]) {
  return t.database.db
    .insertInto('file_deletion_outbox')
    .values(items.map((i) => ({ target: i.target, object_key: i.key, next_attempt_at: t.ctx.now(), created_at: t.ctx.now() })))
    .returning(['id', 'object_key'])
    .execute();
}

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

describe('file-deletion-outbox job', () => {
  it('deletes objects idempotently; a failing item is retried with backoff and never blocks the others', async () => {
    const keys = ['audio/1772445600000-00000000000000000000000000000001.webm', 'audio/1772445600000-00000000000000000000000000000002.webm'];
    for (const k of keys) await t.ctx.storage.put(k, Buffer.from('x'), { contentType: 'audio/webm' });
    const [a, b, missing] = await queue([
      { target: 'storage', key: keys[0] as string },
      { target: 'storage', key: keys[1] as string },
      { target: 'storage', key: 'audio/1772445600000-00000000000000000000000000000003.webm' },
    ]);
    const del = t.ctx.storage.delete;
    t.ctx.storage.delete = async (key) => {
      if (key === keys[0]) throw new Error('storage says no');
      return del(key);
    };
    try {
      const first = await runJob(t.ctx, fileDeletionOutboxJob, { trigger: 'cli' });
      expect(first).toMatchObject({ items: 3, done: 2, failed: 1 });
    } finally {
      t.ctx.storage.delete = del;
    }
    expect(await t.ctx.storage.head(keys[1] as string)).toBeNull();
    const rows = await t.database.db.selectFrom('file_deletion_outbox').selectAll().orderBy('id').execute();
    const failed = rows.find((r) => r.id === a?.id);
    expect(failed).toMatchObject({ attempts: 1, last_error: 'storage says no', done_at: null });
    expect(failed?.next_attempt_at.getTime()).toBe(t.ctx.now().getTime() + outboxRetryDelayMs(0));
    // Done items keep only the hash of their key (keys embed file names).
    expect(rows.find((r) => r.id === b?.id)?.object_key).toBe(doneKey(keys[1] as string));
    expect(rows.find((r) => r.id === missing?.id)?.done_at).not.toBeNull();

    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/file_deletion_outbox_pending 1/);
    expect(metrics.body).toMatch(/file_deletion_outbox_failing 1/);
    expect(metrics.body).toMatch(/file_deletion_outbox_oldest_pending_age_seconds \d/);

    expect((await workFileDeletionOutbox(t.ctx)).items).toBe(0); // not due yet
    t.clock.advance(outboxRetryDelayMs(0));
    expect(await workFileDeletionOutbox(t.ctx)).toMatchObject({ items: 1, done: 1, failed: 0 });
    expect(await t.ctx.storage.head(keys[0] as string)).toBeNull();
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/file_deletion_outbox_pending 0/);
  });

  it('scrubs the personal metadata of a payment intent at the provider', async () => {
    const intent = await t.ctx.payments.createIntent({
      amount: 5000,
      currency: 'usd',
      description: 'Question #1',
      metadata: { customer_email: 'someone@example.test', client_ip: '10.0.0.1', tier_type: 'quick_consult' },
    });
    await queue([{ target: 'payment_intent', key: intent.id }]);
    await workFileDeletionOutbox(t.ctx);
    const after = await t.ctx.payments.retrieveIntent(intent.id);
    expect(after?.metadata).toMatchObject({ customer_email: '', client_ip: '', tier_type: 'quick_consult' });
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
