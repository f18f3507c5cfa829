import type { AdminCaller } from '../admin/guard.ts';
import type { AppContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { listFeedbackAttachments } from '../feedback/reads.ts';
import { addComment, changeFeedback } from '../feedback/service.ts';
import {
  type ConsoleFilter,
  countConsoleFeedback,
  findConsoleRow,
  listCommentsWithAuthors,
  listConsoleFeedback,
  listTags,
  SORT_COLUMNS,
  type SortColumn,
  tagsOf,
} from './feedback-queries.ts';
import { attachmentOut, commentOut, detailFields, type FeedbackRow, feedbackOut } from './feedback-shapes.ts';

/**
 * What the console's feedback screens read, in the console's shapes (ids as strings, ISO times,
 * tags inline). Writes go through the feedback domain's service (src/feedback/service.ts), so the
 * console and the operator API triage the same way.
 */

export interface ListQuery {
  page?: number | undefined;
  limit?: number | undefined;
  type?: ConsoleFilter['type'];
  status?: ConsoleFilter['status'];
  priority?: ConsoleFilter['priority'];
  journey_stage?: string | undefined;
  assigned_to?: string | undefined;
  has_email?: boolean | undefined;
  date_from?: string | undefined;
  date_to?: string | undefined;
  search?: string | undefined;
  sort_by?: string | undefined;
  sort_order?: string | undefined;
}

const urlOf = (ctx: AppContext, key: string | null) => (key && ctx.tickets ? ctx.tickets.urlOf(key) : null);

async function withTags(ctx: AppContext, rows: FeedbackRow[]) {
  const tags = await tagsOf(
    ctx.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => feedbackOut(r, tags.get(r.id) ?? [], urlOf(ctx, r.jira_issue_key)));
}

async function rowOr404(ctx: AppContext, id: number) {
  const row = await findConsoleRow(ctx.db, id);
  if (!row) throw notFound(`No feedback ${id} (it may have been deleted).`, 'feedback_not_found');
  return row;
}

/** The list screen: filters as the console sends them; an unknown sort column sorts by time (the legacy default). */
export async function consoleFeedbackPage(ctx: AppContext, q: ListQuery) {
  const { page = 1, limit = 20, assigned_to, date_from, date_to, sort_by, sort_order, journey_stage, has_email, ...rest } = q;
  const filter: ConsoleFilter = {
    ...rest,
    journeyStage: journey_stage,
    hasEmail: has_email,
    assignedTo: assigned_to === undefined || assigned_to === 'unassigned' ? assigned_to : Number(assigned_to),
    dateFrom: date_from ? new Date(date_from) : undefined,
    dateTo: date_to ? new Date(date_to) : undefined,
  };
  const by: SortColumn = (SORT_COLUMNS as readonly string[]).includes(sort_by ?? '') ? (sort_by as SortColumn) : 'created_at';
  const rows = await listConsoleFeedback(ctx.db, filter, { by, asc: sort_order === 'asc' }, limit, (page - 1) * limit);
  const total = await countConsoleFeedback(ctx.db, filter);
  return { feedback: await withTags(ctx, rows), pagination: { page, limit, total, pages: Math.ceil(total / limit) } };
}

/** Every tag; the console's tag editor shows colour and description, which our tags do not have. */
export async function consoleTags(ctx: AppContext) {
  const tags = await listTags(ctx.db);
  return tags.map((t) => ({ id: String(t.id), name: t.name, color: null, description: null, created_at: t.created_at.toISOString() }));
}

/** The detail screen. `similar` is always empty: the legacy similarity search was never wired up. */
export async function consoleFeedbackDetail(ctx: AppContext, id: number) {
  const row = await rowOr404(ctx, id);
  const [feedback] = await withTags(ctx, [row]);
  const attachments = (await listFeedbackAttachments(ctx, id)).map(attachmentOut);
  const comments = (await listCommentsWithAuthors(ctx.db, id)).map(commentOut);
  return { feedback: { ...feedback!, ...detailFields(row) }, attachments, comments, similar: [] };
}

/** Triage from the console (its assignee field is `assigned_to`), answered with the row as the list shows it. */
export async function consoleTriage(
  ctx: AppContext,
  caller: AdminCaller,
  id: number,
  body: {
    status?: FeedbackRow['status'] | undefined;
    priority?: FeedbackRow['priority'] | undefined;
    assigned_to?: string | number | null | undefined;
  },
) {
  const assigned = body.assigned_to === undefined ? undefined : body.assigned_to === null ? null : Number(body.assigned_to);
  await changeFeedback(ctx, caller, id, { status: body.status, priority: body.priority, assigned_admin_id: assigned });
  const [feedback] = await withTags(ctx, [await rowOr404(ctx, id)]);
  return feedback!;
}

/** An internal note; every console note is internal (the legacy `is_internal` flag is accepted and ignored). */
export async function consoleAddNote(ctx: AppContext, caller: AdminCaller, id: number, text: string) {
  const c = await addComment(ctx, caller, id, text);
  return {
    id: String(c.id),
    feedback_id: String(id),
    comment: c.body,
    is_internal: true,
    admin_name: caller.name,
    created_at: c.created_at.toISOString(),
  };
}
