import { sql } from 'kysely';
import { type AdminCaller, audit } from '../admin/guard.ts';
import type { AppContext } from '../context.ts';
import type { Db } from '../db/index.ts';
import { queueEmail } from '../email/outbox.ts';
import { escapeHtml } from '../email/templates.ts';
import { badRequest } from '../errors.ts';

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
const MAX_EMAILS = 20;

function findConfig(db: Db) {
  return db
    .selectFrom('notification_config')
    .select(['id', 'alert_emails', 'sla_threshold', 'moderation_threshold', 'updated_at'])
    .where('id', '=', 1)
    .executeTakeFirst();
}

/** The single settings row, created with the defaults (alerts to ADMIN_EMAIL, if set) on first read. */
export async function readNotificationConfig(ctx: AppContext) {
  const found = await findConfig(ctx.db);
  if (found) return found;
  const now = ctx.now();
  await ctx.db
    .insertInto('notification_config')
    .values({ id: 1, alert_emails: ctx.config.adminEmail ? [ctx.config.adminEmail] : [], created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return (await findConfig(ctx.db))!;
}

export interface NotificationPatch {
  alert_emails?: string | string[] | undefined;
  sla_threshold?: number | undefined;
  moderation_threshold?: number | undefined;
}

/** A CSV string (what the console sends after an edit) or an array; blanks dropped, duplicates merged. */
function parseEmails(raw: string | string[]): string[] {
  const list = (Array.isArray(raw) ? raw : raw.split(/[,;\n]/)).map((e) => e.trim().toLowerCase()).filter(Boolean);
  const bad = list.find((e) => !EMAIL.test(e));
  if (bad !== undefined) throw badRequest(`"${bad.slice(0, 100)}" is not an e-mail address.`, 'invalid_email');
  const unique = [...new Set(list)];
  if (unique.length > MAX_EMAILS) throw badRequest(`At most ${MAX_EMAILS} alert addresses.`, 'too_many_emails');
  return unique;
}

/**
 * Saves the settings. The console auto-saves the whole object after every change and right after
 * loading it: a save that changes nothing writes nothing and is not audited.
 */
export async function updateNotificationConfig(ctx: AppContext, caller: AdminCaller, patch: NotificationPatch) {
  if (patch.alert_emails === undefined && patch.sla_threshold === undefined && patch.moderation_threshold === undefined) {
    throw badRequest('Send alert_emails, sla_threshold or moderation_threshold.', 'nothing_to_change');
  }
  const emails = patch.alert_emails === undefined ? undefined : parseEmails(patch.alert_emails);
  const before = await readNotificationConfig(ctx);
  const after = {
    alert_emails: emails ?? before.alert_emails,
    sla_threshold: patch.sla_threshold ?? before.sla_threshold,
    moderation_threshold: patch.moderation_threshold ?? before.moderation_threshold,
  };
  const same =
    after.sla_threshold === before.sla_threshold &&
    after.moderation_threshold === before.moderation_threshold &&
    after.alert_emails.join(',') === before.alert_emails.join(',');
  if (same) return { config: before, changed: false };
  const now = ctx.now();
  const config = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('notification_config')
      .set({ ...after, updated_at: now })
      .where('id', '=', 1)
      .returning(['id', 'alert_emails', 'sla_threshold', 'moderation_threshold', 'updated_at'])
      .executeTakeFirstOrThrow();
    const { id: _id, updated_at: _u, ...old } = before;
    await audit(
      trx,
      caller,
      { action: 'notifications.update', targetType: 'notification_config', targetId: 1, details: { before: old, after } },
      now,
    );
    return row;
  });
  return { config, changed: true };
}

/** Queues the test alert to every configured address through the e-mail outbox (ctx.mailer delivers it). */
export async function sendTestNotification(ctx: AppContext, caller: AdminCaller): Promise<string[]> {
  const { alert_emails: recipients } = await readNotificationConfig(ctx);
  if (!recipients.length) throw badRequest('No alert emails configured: add at least one address first.', 'no_alert_emails');
  const now = ctx.now();
  const who = caller.name || caller.email;
  const text = `This is a test alert from the mindPick admin console, sent by ${who} at ${now.toISOString()}.\nAlerts (SLA and moderation thresholds) will reach this address.`;
  const html = `<p>This is a test alert from the mindPick admin console, sent by ${escapeHtml(who)} at ${now.toISOString()}.</p><p>Alerts (SLA and moderation thresholds) will reach this address.</p>`;
  await ctx.db.transaction().execute(async (trx) => {
    for (const to of recipients)
      await queueEmail(ctx.jobs, trx, { template: 'admin_test_alert', to, subject: 'mindPick admin: test alert', text, html }, now);
    await audit(
      trx,
      caller,
      { action: 'notifications.test', targetType: 'notification_config', targetId: 'test', details: { recipients: recipients.length } },
      now,
    );
  });
  return recipients;
}

/** The console's system card: the database answers, and this server is the main API. No configuration is shown. */
export async function consoleHealth(ctx: AppContext) {
  const started = performance.now();
  const dbOk = await sql`SELECT 1`.execute(ctx.db).then(
    () => true,
    (err: unknown) => {
      ctx.log.error({ err }, 'health: database check failed');
      return false;
    },
  );
  const ms = Math.round(performance.now() - started);
  return {
    database: {
      status: dbOk ? 'healthy' : 'unhealthy',
      message: dbOk ? 'Database reachable' : 'Database unreachable',
      response_time_ms: ms,
    },
    xano: { status: 'healthy', message: 'The main API is served by this server', response_time_ms: 0 },
    environment: { status: 'healthy', message: 'Configuration loaded at start-up' },
    overall_status: dbOk ? 'healthy' : 'unhealthy',
    healthy: dbOk,
  };
}
