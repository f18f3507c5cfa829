import { type AdminCaller, audit } from '../admin/guard.ts';
import type { AppContext } from '../context.ts';
import type { FeedbackPriority, FeedbackStatus, FeedbackType } from '../db/schema.ts';
import { badRequest, notFound } from '../errors.ts';
import { splitContext } from './context.ts';
import {
  feedbackStats,
  findLiveFeedbackForUpdate,
  insertAttachments,
  insertComment,
  insertFeedback,
  linkTag,
  listTagNames,
  type NewAttachment,
  unlinkTag,
  updateFeedback,
  upsertTag,
} from './queries.ts';

export interface SubmitInput {
  body: Record<string, unknown> & {
    type: FeedbackType;
    message: string;
    rating?: number | null | undefined;
    email?: string | null | undefined;
    wants_followup?: boolean | undefined;
    session_id?: string | null | undefined;
    page_url?: string | null | undefined;
    attachments?: { name: string; url: string; size?: number | undefined; type?: string | undefined }[] | undefined;
  };
  userAgent: string | null;
  userId: number | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Public widget submission: validated columns, everything else kept as context. */
export async function submitFeedback(ctx: AppContext, input: SubmitInput): Promise<number> {
  const b = input.body;
  const message = b.message.trim();
  if (message.length < 10) throw badRequest('Write at least 10 characters of feedback.', 'message_too_short');
  const email = b.email?.trim().toLowerCase() || null;
  if (email && !EMAIL.test(email)) throw badRequest('The e-mail address is not valid: fix it or leave it empty.', 'invalid_email');
  const split = splitContext(b);
  if (!split.ok) throw badRequest(split.reason, 'context_too_large');
  const attachments: NewAttachment[] = (b.attachments ?? []).map((a) => ({
    name: a.name,
    url: a.url,
    size_bytes: a.size ?? null,
    content_type: a.type ?? null,
  }));
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    const id = await insertFeedback(
      trx,
      {
        type: b.type,
        message,
        rating: b.rating || null,
        email,
        wants_followup: b.wants_followup ?? false,
        session_id: b.session_id || null,
        page_url: b.page_url || null,
        user_agent: input.userAgent?.slice(0, 500) ?? null,
        user_id: input.userId,
        context: split.context,
      },
      now,
    );
    await insertAttachments(trx, id, attachments, now);
    return id;
  });
}

export interface FeedbackPatch {
  status?: FeedbackStatus | undefined;
  priority?: FeedbackPriority | undefined;
  assigned_admin_id?: number | null | undefined;
  jira_issue_key?: string | null | undefined;
}

async function liveOr404(trx: Parameters<typeof findLiveFeedbackForUpdate>[0], id: number) {
  const row = await findLiveFeedbackForUpdate(trx, id);
  if (!row) throw notFound(`No feedback #${id} (it may have been deleted).`, 'feedback_not_found');
  return row;
}

export async function changeFeedback(ctx: AppContext, caller: AdminCaller, id: number, patch: FeedbackPatch) {
  const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as FeedbackPatch;
  if (!Object.keys(changes).length) {
    throw badRequest('Send at least one of status, priority, assigned_admin_id, jira_issue_key.', 'nothing_to_change');
  }
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await liveOr404(trx, id);
    if (changes.assigned_admin_id != null) {
      const exists = await trx.selectFrom('admin_users').select('id').where('id', '=', changes.assigned_admin_id).executeTakeFirst();
      if (!exists) throw badRequest(`No admin #${changes.assigned_admin_id} to assign.`, 'admin_not_found');
    }
    const resolved =
      changes.status === undefined || changes.status === before.status ? {} : { resolved_at: changes.status === 'resolved' ? now : null };
    const after = await updateFeedback(trx, id, { ...changes, ...resolved }, now);
    await audit(trx, caller, { action: 'feedback.update', targetType: 'feedback', targetId: id, details: { changes } }, now);
    return after;
  });
}

export async function softDeleteFeedback(ctx: AppContext, caller: AdminCaller, id: number): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    await liveOr404(trx, id);
    await updateFeedback(trx, id, { deleted_at: now, deleted_by_admin_id: caller.adminId }, now);
    await audit(trx, caller, { action: 'feedback.delete', targetType: 'feedback', targetId: id }, now);
  });
}

export async function addComment(ctx: AppContext, caller: AdminCaller, id: number, bodyRaw: string) {
  const body = bodyRaw.trim();
  if (!body) throw badRequest('A comment cannot be empty.', 'empty_comment');
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    await liveOr404(trx, id);
    const comment = await insertComment(trx, id, caller.adminId, body, now);
    await audit(
      trx,
      caller,
      { action: 'feedback.comment', targetType: 'feedback', targetId: id, details: { comment_id: comment.id } },
      now,
    );
    return comment;
  });
}

const TAG = /^[a-z0-9][a-z0-9 _-]{0,39}$/;

function normaliseTag(raw: string): string {
  const tag = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!TAG.test(tag)) {
    throw badRequest('A tag is 1–40 lower-case letters, digits, spaces, _ or -, starting with a letter or digit.', 'invalid_tag');
  }
  return tag;
}

export async function addTag(ctx: AppContext, caller: AdminCaller, id: number, raw: string): Promise<string[]> {
  const tag = normaliseTag(raw);
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    await liveOr404(trx, id);
    await linkTag(trx, id, await upsertTag(trx, tag, now), now);
    await audit(trx, caller, { action: 'feedback.tag_add', targetType: 'feedback', targetId: id, details: { tag } }, now);
    return listTagNames(trx, id);
  });
}

export async function removeTag(ctx: AppContext, caller: AdminCaller, id: number, raw: string): Promise<string[]> {
  const tag = normaliseTag(raw);
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    await liveOr404(trx, id);
    if (!(await unlinkTag(trx, id, tag))) throw notFound(`Feedback #${id} has no tag "${tag}".`, 'tag_not_found');
    await audit(trx, caller, { action: 'feedback.tag_remove', targetType: 'feedback', targetId: id, details: { tag } }, now);
    return listTagNames(trx, id);
  });
}

const toCounts = (rows: { key: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));

export async function feedbackAnalytics(ctx: AppContext, days: number) {
  const since = new Date(ctx.now().getTime() - days * 86_400_000);
  const s = await feedbackStats(ctx.db, since);
  const avg = s.totals.average_rating;
  return {
    days,
    since: since.getTime(),
    total: Number(s.totals.total),
    open: Number(s.totals.open),
    rating_count: Number(s.totals.rating_count),
    average_rating: avg === null ? null : Math.round(Number(avg) * 100) / 100,
    by_type: toCounts(s.byType),
    by_status: toCounts(s.byStatus),
    by_priority: toCounts(s.byPriority),
    per_day: s.perDay.map((d) => ({ date: d.date, count: Number(d.n) })),
  };
}
