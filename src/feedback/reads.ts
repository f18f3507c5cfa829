import { type AdminCaller, audit } from '../admin/guard.ts';
import type { AppContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { countFeedback, findFeedback, listAttachments, listComments, listFeedback, listTagCounts, listTagNames } from './queries.ts';
import { feedbackAnalytics } from './service.ts';

/**
 * The operator API's reads of feedback. Every admin read is audited, like the writes in
 * service.ts: a support team's access to users' messages is itself on the record.
 */

export interface ListQuery {
  status?: Parameters<typeof listFeedback>[1]['status'];
  type?: Parameters<typeof listFeedback>[1]['type'];
  priority?: Parameters<typeof listFeedback>[1]['priority'];
  tag?: string | undefined;
  q?: string | undefined;
  include_deleted?: boolean | undefined;
  page?: number | undefined;
  limit?: number | undefined;
}

export async function listFeedbackPage(ctx: AppContext, caller: AdminCaller, query: ListQuery) {
  const { page = 1, limit = 50, include_deleted, ...rest } = query;
  const filter = { ...rest, tag: rest.tag?.trim().toLowerCase(), includeDeleted: include_deleted ?? false };
  const rows = await listFeedback(ctx.db, filter, limit, (page - 1) * limit);
  const total = await countFeedback(ctx.db, filter);
  await audit(ctx.db, caller, { action: 'feedback.list', details: { filter: query, count: rows.length } }, ctx.now());
  return { rows, pagination: { page, limit, total } };
}

export async function auditedFeedbackAnalytics(ctx: AppContext, caller: AdminCaller, days: number) {
  const result = await feedbackAnalytics(ctx, days);
  await audit(ctx.db, caller, { action: 'feedback.analytics' }, ctx.now());
  return result;
}

export async function feedbackTagCounts(ctx: AppContext, caller: AdminCaller) {
  const tags = await listTagCounts(ctx.db);
  await audit(ctx.db, caller, { action: 'feedback.tag_list' }, ctx.now());
  return tags.map((t) => ({ name: t.name, count: Number(t.count) }));
}

/** One item with everything attached to it; deleted items stay readable to admins. */
export async function feedbackDetail(ctx: AppContext, caller: AdminCaller, id: number) {
  const row = await findFeedback(ctx.db, id);
  if (!row) throw notFound(`No feedback #${id}.`, 'feedback_not_found');
  const attachments = await listAttachments(ctx.db, id);
  const comments = await listComments(ctx.db, id);
  const tags = await listTagNames(ctx.db, id);
  await audit(ctx.db, caller, { action: 'feedback.view', targetType: 'feedback', targetId: id }, ctx.now());
  return { row, attachments, comments, tags };
}

export const feedbackTags = (ctx: AppContext, id: number) => listTagNames(ctx.db, id);

/** The files a user attached (links only: they live wherever the widget uploaded them). */
export const listFeedbackAttachments = (ctx: AppContext, id: number) => listAttachments(ctx.db, id);
