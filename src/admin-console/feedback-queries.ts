import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { FeedbackPriority, FeedbackStatus, FeedbackType } from '../db/schema.ts';

/** The console's list filters (legacy `admin/api/feedback/index.js`). */
export interface ConsoleFilter {
  type?: FeedbackType | undefined;
  status?: FeedbackStatus | undefined;
  priority?: FeedbackPriority | undefined;
  journeyStage?: string | undefined;
  assignedTo?: number | 'unassigned' | undefined;
  hasEmail?: boolean | undefined;
  dateFrom?: Date | undefined;
  dateTo?: Date | undefined;
  search?: string | undefined;
}
export const SORT_COLUMNS = ['created_at', 'updated_at', 'priority', 'rating', 'type', 'status'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filtered(db: Db, f: ConsoleFilter) {
  let q = db.selectFrom('feedback as f').where('f.deleted_at', 'is', null);
  if (f.type) q = q.where('f.type', '=', f.type);
  if (f.status) q = q.where('f.status', '=', f.status);
  if (f.priority) q = q.where('f.priority', '=', f.priority);
  if (f.journeyStage) q = q.where(sql<string>`f.context->>'journey_stage'`, '=', f.journeyStage);
  if (f.assignedTo === 'unassigned') q = q.where('f.assigned_admin_id', 'is', null);
  else if (f.assignedTo !== undefined) q = q.where('f.assigned_admin_id', '=', f.assignedTo);
  if (f.hasEmail) q = q.where('f.email', 'is not', null);
  if (f.dateFrom) q = q.where('f.created_at', '>=', f.dateFrom);
  if (f.dateTo) q = q.where('f.created_at', '<=', f.dateTo);
  if (f.search) {
    const p = like(f.search);
    q = q.where((eb) => eb.or([eb('f.message', 'ilike', p), eb('f.email', 'ilike', p), eb('f.page_url', 'ilike', p)]));
  }
  return q;
}

export async function countConsoleFeedback(db: Db, f: ConsoleFilter): Promise<number> {
  const row = await filtered(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function withCounts(db: Db, f: ConsoleFilter) {
  return filtered(db, f)
    .selectAll('f')
    .select([
      sql<number>`(SELECT count(*) FROM feedback_attachment a WHERE a.feedback_id = f.id)`.as('attachment_count'),
      sql<number>`(SELECT count(*) FROM feedback_comment c WHERE c.feedback_id = f.id)`.as('comment_count'),
    ]);
}

export function findConsoleRow(db: Db, id: number) {
  return withCounts(db, {}).where('f.id', '=', id).executeTakeFirst();
}

export function listConsoleFeedback(db: Db, f: ConsoleFilter, sort: { by: SortColumn; asc: boolean }, limit: number, offset: number) {
  return withCounts(db, f)
    .orderBy(`f.${sort.by}`, sort.asc ? 'asc' : 'desc')
    .orderBy('f.id', sort.asc ? 'asc' : 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** Tags of several feedback items in one query (the legacy list ran one per row). */
export async function tagsOf(db: Db, ids: number[]) {
  if (!ids.length) return new Map<number, { id: number; name: string }[]>();
  const rows = await db
    .selectFrom('feedback_tag_link as l')
    .innerJoin('feedback_tag as t', 't.id', 'l.tag_id')
    .select(['l.feedback_id', 't.id', 't.name'])
    .where('l.feedback_id', '=', sql<number>`any(${sql.val(ids)}::bigint[])`)
    .orderBy('t.name')
    .execute();
  const out = new Map<number, { id: number; name: string }[]>();
  for (const r of rows) out.set(r.feedback_id, [...(out.get(r.feedback_id) ?? []), { id: r.id, name: r.name }]);
  return out;
}

export function listCommentsWithAuthors(db: Db, feedbackId: number) {
  return db
    .selectFrom('feedback_comment as c')
    .leftJoin('admin_users as a', 'a.id', 'c.admin_user_id')
    .leftJoin('user as u', 'u.id', 'a.user_id')
    .select(['c.id', 'c.body', 'c.admin_user_id', 'c.created_at', 'u.name as admin_name'])
    .where('c.feedback_id', '=', feedbackId)
    .orderBy('c.id')
    .execute();
}

export function listTags(db: Db) {
  return db.selectFrom('feedback_tag').select(['id', 'name', 'created_at']).orderBy('name').execute();
}

export async function countTags(db: Db, ids: number[]): Promise<number> {
  if (!ids.length) return 0;
  const row = await db
    .selectFrom('feedback_tag')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', 'in', ids)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Replaces every tag of the feedback, in the caller's transaction. */
export async function replaceTagLinks(db: Db, feedbackId: number, tagIds: number[], now: Date): Promise<void> {
  await db.deleteFrom('feedback_tag_link').where('feedback_id', '=', feedbackId).execute();
  if (!tagIds.length) return;
  await db
    .insertInto('feedback_tag_link')
    .values(tagIds.map((tag_id) => ({ feedback_id: feedbackId, tag_id, created_at: now })))
    .execute();
}

/** Stores the ticket key unless the feedback already has one; false when it had. */
export async function setJiraKeyIfNone(db: Db, id: number, key: string, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('feedback')
    .set({ jira_issue_key: key, updated_at: now })
    .where('id', '=', id)
    .where('jira_issue_key', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export function findFeedbackByJiraKey(db: Db, key: string) {
  return db
    .selectFrom('feedback')
    .select(['id', 'status', 'priority'])
    .where('jira_issue_key', '=', key)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertSyncComment(db: Db, feedbackId: number, body: string, now: Date): Promise<void> {
  await db.insertInto('feedback_comment').values({ feedback_id: feedbackId, admin_user_id: null, body, created_at: now }).execute();
}

export async function updateFromTicket(
  db: Db,
  id: number,
  patch: { status?: FeedbackStatus; priority?: FeedbackPriority; resolved_at?: Date | null },
  now: Date,
) {
  await db
    .updateTable('feedback')
    .set({ ...patch, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** Everything the console's analytics reads, over live feedback since `since`. */
export async function consoleStats(db: Db, since: Date) {
  const base = db.selectFrom('feedback').where('deleted_at', 'is', null).where('created_at', '>=', since);
  const group = (expr: RawBuilder<string | null>) =>
    base
      .select([expr.as('key'), (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy(sql`1`)
      .orderBy(sql`2`, 'desc')
      .orderBy(sql`1`)
      .execute();
  const [summary, byType, byJourney, byDevice, trend, topPages] = await Promise.all([
    base
      .select([
        sql<number>`count(*)`.as('total_count'),
        sql<number>`count(rating)`.as('rated_count'),
        sql<number | null>`round(avg(rating), 2)`.as('avg_rating'),
        sql<number>`count(*) FILTER (WHERE status = 'new')`.as('new_count'),
        sql<number>`count(*) FILTER (WHERE status = 'in_progress')`.as('in_progress_count'),
        sql<number>`count(*) FILTER (WHERE status = 'resolved')`.as('resolved_count'),
        sql<number>`count(email)`.as('with_email_count'),
        sql<number>`count(jira_issue_key)`.as('with_jira_count'),
        sql<number | null>`round((avg(extract(epoch FROM resolved_at - created_at)) / 3600)::numeric, 1)`.as('avg_response_hours'),
      ])
      .executeTakeFirstOrThrow(),
    group(sql`type`),
    group(sql`context->>'journey_stage'`),
    group(sql`context->>'device_type'`),
    base
      .select([
        sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`.as('date'),
        sql<number>`count(*)`.as('count'),
        sql<number>`count(*) FILTER (WHERE type = 'bug')`.as('bugs'),
        sql<number>`count(*) FILTER (WHERE type = 'feature')`.as('features'),
        sql<number>`count(*) FILTER (WHERE type = 'feedback')`.as('feedback'),
        sql<number | null>`round(avg(rating), 2)`.as('avg_rating'),
      ])
      .groupBy(sql`1`)
      .orderBy(sql`1`)
      .execute(),
    base
      .select(['page_url as key', (eb) => eb.fn.countAll<number>().as('count')])
      .where('page_url', 'is not', null)
      .groupBy('page_url')
      .orderBy(sql`2`, 'desc')
      .orderBy('page_url')
      .limit(10)
      .execute(),
  ]);
  return { summary, byType, byJourney, byDevice, trend, topPages };
}
