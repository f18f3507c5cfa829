/**
 * What the erasure keeps on purpose, it keeps only as long as needed: pseudonymised payments until
 * retain_until, delivered erasure confirmations and code e-mails not at all, export archives for
 * their link's lifetime, finished outbox items for 30 days (media reads answer 410 meanwhile),
 * coaching sessions that led to no question for 30 days, coach counters until their day is over.
 */
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { queueFileDeletions } from '../file-deletion/queries.ts';
import type { JobDefinition, JobSummary } from '../job-queue/types.ts';

/** E-mails that carry an erased person's address (or a code) past their purpose. */
const TRANSIENT_TEMPLATES = ['account-deleted', 'asker-erased', 'privacy-code'];
const DAY_MS = 24 * 3600_000;

export async function runRetention(ctx: AppContext, dryRun: boolean) {
  const now = ctx.now();
  const dayAgo = new Date(now.getTime() - DAY_MS);
  const monthAgo = new Date(now.getTime() - 30 * DAY_MS);
  return ctx.db.transaction().execute(async (trx) => {
    const count = async (q: ReturnType<typeof sql<{ n: number }>>) => Number((await q.execute(trx)).rows[0]?.n ?? 0);
    if (dryRun) {
      return {
        payments: await count(sql`SELECT count(*)::int AS n FROM payment WHERE retain_until <= ${now} AND question_id IS NULL`),
        exports: await count(sql`SELECT count(*)::int AS n FROM account_export WHERE expires_at <= ${now}`),
        emails: 0,
        codes: 0,
        outbox: 0,
        coaching: 0,
      };
    }
    const payments = await trx.deleteFrom('payment').where('retain_until', '<=', now).where('question_id', 'is', null).executeTakeFirst();
    const expired = await trx.deleteFrom('account_export').where('expires_at', '<=', now).returning('object_key').execute();
    await queueFileDeletions(
      ctx.jobs,
      trx,
      expired.map((e) => ({ target: 'storage' as const, key: e.object_key })),
      now,
    );
    const emails = await trx
      .deleteFrom('email_outbox')
      .where('template', 'in', TRANSIENT_TEMPLATES)
      .where('status', 'in', ['sent', 'failed'])
      .executeTakeFirst();
    const codes = await trx.deleteFrom('privacy_code').where('expires_at', '<', dayAgo).executeTakeFirst();
    const outbox = await trx.deleteFrom('file_deletion_outbox').where('done_at', '<', monthAgo).executeTakeFirst();
    const sessions = await trx
      .deleteFrom('question_coaching_sessions')
      .where('question_id', 'is', null)
      .where('updated_at', '<', monthAgo)
      .executeTakeFirst();
    const counters = await trx.deleteFrom('coaching_rate_limits').where('day', '<', now.toISOString().slice(0, 10)).executeTakeFirst();
    return {
      payments: Number(payments.numDeletedRows),
      exports: expired.length,
      emails: Number(emails.numDeletedRows),
      codes: Number(codes.numDeletedRows),
      outbox: Number(outbox.numDeletedRows),
      coaching: Number(sessions.numDeletedRows) + Number(counters.numDeletedRows),
    };
  });
}

export const privacyRetentionJob: JobDefinition<AppContext> = {
  name: 'privacy-retention',
  summary:
    'Delete pseudonymised payments past retain_until, expired exports, delivered erasure e-mails, old codes and stale coaching data.',
  cron: '17 * * * *',
  async run(ctx, { dryRun }): Promise<JobSummary> {
    const r = await runRetention(ctx, dryRun);
    return { items: r.payments + r.exports + r.emails + r.codes + r.outbox + r.coaching, failed: 0, ...r };
  },
};
