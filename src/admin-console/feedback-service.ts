import { type AdminCaller, audit } from '../admin/guard.ts';
import { insertAuditRow } from '../admin/queries.ts';
import type { AppContext } from '../context.ts';
import type { FeedbackPriority, FeedbackStatus } from '../db/schema.ts';
import { badRequest, HttpError, notFound } from '../errors.ts';
import { listFeedbackAttachments } from '../feedback/reads.ts';
import { TicketProviderError } from '../tickets/provider.ts';
import {
  consoleStats,
  countTags,
  findFeedbackByJiraKey,
  insertSyncComment,
  replaceTagLinks,
  setJiraKeyIfNone,
  updateFromTicket,
} from './feedback-queries.ts';

async function findLive(db: AppContext['db'], id: number) {
  const row = await db.selectFrom('feedback').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (!row) throw notFound(`No feedback ${id} (it may have been deleted).`, 'feedback_not_found');
  return row;
}

async function lockLive(trx: AppContext['db'], id: number) {
  const row = await trx
    .selectFrom('feedback')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound(`No feedback ${id} (it may have been deleted).`, 'feedback_not_found');
  return row;
}

/**
 * Files the feedback as a ticket. The tracker is called outside any transaction (the embedded
 * database has one connection: a lock held over an HTTP call would stall every request); the key is
 * then stored only if none was stored meanwhile, so two racing clicks keep one key (the other
 * ticket is logged as an orphan). Attachments are linked in the ticket, never downloaded.
 */
export async function createTicket(ctx: AppContext, caller: AdminCaller, id: number) {
  const tickets = ctx.tickets;
  if (!tickets) throw new HttpError(503, 'tickets_not_configured', 'Ticket creation is off on this server (TICKETS is not set).');
  const exists = (key: string) =>
    new HttpError(409, 'ticket_exists', `Feedback ${id} already has the ticket ${key}.`, {
      ticket_key: key,
      ticket_url: tickets.urlOf(key),
    });
  const f = await findLive(ctx.db, id);
  if (f.jira_issue_key) throw exists(f.jira_issue_key);
  const attachments = (await listFeedbackAttachments(ctx, id)).map((a) => ({ name: a.name, url: a.url }));
  const adminUrl = `${ctx.config.adminConsole.origins[0]}/feedback?id=${id}`;
  let ticket: Awaited<ReturnType<typeof tickets.create>>;
  try {
    ticket = await tickets.create({
      feedbackId: id,
      type: f.type,
      priority: f.priority,
      message: f.message,
      pageUrl: f.page_url,
      adminUrl,
      attachments,
    });
  } catch (err) {
    if (!(err instanceof TicketProviderError)) throw err;
    ctx.log.warn({ feedbackId: id, detail: err.detail }, 'ticket creation failed');
    throw new HttpError(502, 'ticket_provider_failed', `${err.message} Try again later.`);
  }
  const now = ctx.now();
  const stored = await ctx.db.transaction().execute(async (trx) => {
    if (!(await setJiraKeyIfNone(trx, id, ticket.key, now))) return false;
    await audit(trx, caller, { action: 'feedback.ticket_create', targetType: 'feedback', targetId: id, details: { key: ticket.key } }, now);
    return true;
  });
  if (!stored) {
    ctx.log.warn({ feedbackId: id, orphan: ticket.key }, 'a concurrent request filed this feedback first: close the orphan ticket');
    throw exists((await findLive(ctx.db, id)).jira_issue_key ?? ticket.key);
  }
  return ticket;
}

/** Replaces all tags of the feedback (the legacy route wiped them and then failed). */
export async function replaceTags(ctx: AppContext, caller: AdminCaller, id: number, tagIds: number[]): Promise<void> {
  const unique = [...new Set(tagIds)];
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    await lockLive(trx, id);
    if ((await countTags(trx, unique)) !== unique.length) throw badRequest('One of tag_ids is not a known tag.', 'tag_not_found');
    await replaceTagLinks(trx, id, unique, now);
    await audit(trx, caller, { action: 'feedback.tags_replace', targetType: 'feedback', targetId: id, details: { tag_ids: unique } }, now);
  });
}

const STATUS_FROM_JIRA: Record<string, FeedbackStatus> = {
  'to do': 'new',
  'in progress': 'in_progress',
  done: 'resolved',
  closed: 'resolved',
};
const PRIORITY_FROM_JIRA: Record<string, FeedbackPriority> = {
  highest: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
  lowest: 'low',
};

export interface JiraEvent {
  webhookEvent?: string | undefined;
  issue?:
    | { key?: string | undefined; fields?: { status?: { name?: string } | null; priority?: { name?: string } | null } | undefined }
    | undefined;
  comment?: { body?: unknown } | undefined;
}

/** A signed Jira webhook: status, priority and comments of the linked feedback follow the ticket. */
export async function applyJiraEvent(ctx: AppContext, event: JiraEvent): Promise<string> {
  const key = event.issue?.key;
  if (!key) throw badRequest('The webhook has no issue.key.', 'missing_issue_key');
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    const f = await findFeedbackByJiraKey(trx, key);
    if (!f) return 'Ticket not linked to feedback';
    const status = STATUS_FROM_JIRA[event.issue?.fields?.status?.name?.toLowerCase() ?? ''];
    const priority = PRIORITY_FROM_JIRA[event.issue?.fields?.priority?.name?.toLowerCase() ?? ''];
    const patch = {
      ...(status && status !== f.status ? { status, resolved_at: status === 'resolved' ? now : null } : {}),
      ...(priority && priority !== f.priority ? { priority } : {}),
    };
    if (Object.keys(patch).length) {
      await updateFromTicket(trx, f.id, patch, now);
      const what = [patch.status && `status ${patch.status}`, patch.priority && `priority ${patch.priority}`].filter(Boolean).join(', ');
      await insertSyncComment(trx, f.id, `Synced from Jira ${key}: ${what}.`, now);
    }
    const body = event.comment?.body;
    if (typeof body === 'string' && body.trim())
      await insertSyncComment(trx, f.id, `Jira comment on ${key}: ${body.trim()}`.slice(0, 5000), now);
    await insertAuditRow(
      trx,
      {
        adminUserId: null,
        actor: 'jira-webhook',
        action: 'feedback.ticket_sync',
        targetType: 'feedback',
        targetId: f.id,
        details: { key, ...patch },
      },
      now,
    );
    return 'Webhook processed';
  });
}

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function consoleAnalytics(ctx: AppContext, days: number) {
  const since = new Date(ctx.now().getTime() - days * 86_400_000);
  const s = await consoleStats(ctx.db, since);
  const counts = <K extends string>(name: K, rows: { key: string | null; count: number }[]) =>
    rows.map((r) => ({ [name]: r.key ?? 'unknown', count: Number(r.count) }) as Record<K, string> & { count: number });
  const m = s.summary;
  return {
    summary: {
      total_count: Number(m.total_count),
      rated_count: Number(m.rated_count),
      avg_rating: n(m.avg_rating),
      new_count: Number(m.new_count),
      in_progress_count: Number(m.in_progress_count),
      resolved_count: Number(m.resolved_count),
      with_email_count: Number(m.with_email_count),
      with_jira_count: Number(m.with_jira_count),
      avg_response_hours: n(m.avg_response_hours),
    },
    by_type: counts('type', s.byType),
    by_journey: counts('journey_stage', s.byJourney),
    by_device: counts('device_type', s.byDevice),
    trend: s.trend.map((t) => ({
      date: t.date,
      count: Number(t.count),
      bugs: Number(t.bugs),
      features: Number(t.features),
      feedback: Number(t.feedback),
      avg_rating: n(t.avg_rating),
    })),
    top_pages: counts('page_url', s.topPages),
  };
}
