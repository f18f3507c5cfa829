import { sql } from 'kysely';
import { deleteByIds } from '../db/delete.ts';
import type { Db } from '../db/index.ts';
import { toJson } from '../db/json.ts';
import type { FeedbackPriority, FeedbackStatus, FeedbackType } from '../db/schema.ts';

export interface NewFeedback {
  type: FeedbackType;
  message: string;
  rating: number | null;
  email: string | null;
  wants_followup: boolean;
  session_id: string | null;
  page_url: string | null;
  user_agent: string | null;
  user_id: number | null;
  context: Record<string, unknown>;
}

export interface NewAttachment {
  name: string;
  url: string;
  size_bytes: number | null;
  content_type: string | null;
}

export async function insertFeedback(db: Db, f: NewFeedback, now: Date): Promise<number> {
  const row = await db
    .insertInto('feedback')
    .values({ ...f, context: toJson(f.context), created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertAttachments(db: Db, feedbackId: number, items: NewAttachment[], now: Date): Promise<void> {
  if (!items.length) return;
  await db
    .insertInto('feedback_attachment')
    .values(items.map((a) => ({ ...a, feedback_id: feedbackId, created_at: now })))
    .execute();
}

export interface FeedbackFilter {
  status?: FeedbackStatus | undefined;
  type?: FeedbackType | undefined;
  priority?: FeedbackPriority | undefined;
  tag?: string | undefined;
  q?: string | undefined;
  includeDeleted: boolean;
}

function filtered(db: Db, f: FeedbackFilter) {
  let q = db.selectFrom('feedback as f');
  if (!f.includeDeleted) q = q.where('f.deleted_at', 'is', null);
  if (f.status) q = q.where('f.status', '=', f.status);
  if (f.type) q = q.where('f.type', '=', f.type);
  if (f.priority) q = q.where('f.priority', '=', f.priority);
  if (f.q) q = q.where('f.message', 'ilike', `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (f.tag) {
    const tag = f.tag;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('feedback_tag_link as l')
          .innerJoin('feedback_tag as t', 't.id', 'l.tag_id')
          .whereRef('l.feedback_id', '=', 'f.id')
          .where('t.name', '=', tag)
          .select('l.tag_id'),
      ),
    );
  }
  return q;
}

export async function countFeedback(db: Db, f: FeedbackFilter): Promise<number> {
  const row = await filtered(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function listFeedback(db: Db, f: FeedbackFilter, limit: number, offset: number) {
  return filtered(db, f)
    .selectAll('f')
    .select(
      sql<
        string[]
      >`coalesce((SELECT array_agg(t.name ORDER BY t.name) FROM feedback_tag_link l JOIN feedback_tag t ON t.id = l.tag_id WHERE l.feedback_id = f.id), '{}')`.as(
        'tags',
      ),
    )
    .orderBy('f.created_at', 'desc')
    .orderBy('f.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export function findFeedback(db: Db, id: number) {
  return db.selectFrom('feedback').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findLiveFeedbackForUpdate(db: Db, id: number) {
  return db.selectFrom('feedback').selectAll().where('id', '=', id).where('deleted_at', 'is', null).forUpdate().executeTakeFirst();
}

export function updateFeedback(
  db: Db,
  id: number,
  patch: Partial<{
    status: FeedbackStatus;
    priority: FeedbackPriority;
    assigned_admin_id: number | null;
    jira_issue_key: string | null;
    resolved_at: Date | null;
    deleted_at: Date;
    deleted_by_admin_id: number;
  }>,
  now: Date,
) {
  return db
    .updateTable('feedback')
    .set({ ...patch, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listAttachments(db: Db, feedbackId: number) {
  return db
    .selectFrom('feedback_attachment')
    .select(['id', 'name', 'url', 'size_bytes', 'content_type'])
    .where('feedback_id', '=', feedbackId)
    .orderBy('id')
    .execute();
}

export function listComments(db: Db, feedbackId: number) {
  return db
    .selectFrom('feedback_comment')
    .select(['id', 'admin_user_id', 'body', 'created_at'])
    .where('feedback_id', '=', feedbackId)
    .orderBy('id')
    .execute();
}

export function insertComment(db: Db, feedbackId: number, adminUserId: number, body: string, now: Date) {
  return db
    .insertInto('feedback_comment')
    .values({ feedback_id: feedbackId, admin_user_id: adminUserId, body, created_at: now })
    .returning(['id', 'admin_user_id', 'body', 'created_at'])
    .executeTakeFirstOrThrow();
}

export async function listTagNames(db: Db, feedbackId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('feedback_tag_link as l')
    .innerJoin('feedback_tag as t', 't.id', 'l.tag_id')
    .select('t.name')
    .where('l.feedback_id', '=', feedbackId)
    .orderBy('t.name')
    .execute();
  return rows.map((r) => r.name);
}

/** The tag's id, creating the tag on first use (concurrent first uses agree on one row). */
export async function upsertTag(db: Db, name: string, now: Date): Promise<number> {
  await db
    .insertInto('feedback_tag')
    .values({ name, created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('feedback_tag').select('id').where('name', '=', name).executeTakeFirstOrThrow();
  return row.id;
}

export async function linkTag(db: Db, feedbackId: number, tagId: number, now: Date): Promise<void> {
  await db
    .insertInto('feedback_tag_link')
    .values({ feedback_id: feedbackId, tag_id: tagId, created_at: now })
    .onConflict((oc) => oc.columns(['feedback_id', 'tag_id']).doNothing())
    .execute();
}

export async function unlinkTag(db: Db, feedbackId: number, name: string): Promise<number> {
  const res = await db
    .deleteFrom('feedback_tag_link')
    .where('feedback_id', '=', feedbackId)
    .where('tag_id', '=', (eb) => eb.selectFrom('feedback_tag').select('id').where('name', '=', name))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

export function listTagCounts(db: Db) {
  return db
    .selectFrom('feedback_tag as t')
    .leftJoin('feedback_tag_link as l', 'l.tag_id', 't.id')
    .leftJoin('feedback as f', (j) => j.onRef('f.id', '=', 'l.feedback_id').on('f.deleted_at', 'is', null))
    .select(['t.name', (eb) => eb.fn.count<number>('f.id').as('count')])
    .groupBy('t.name')
    .orderBy('t.name')
    .execute();
}

/** Counts over live feedback created since `since`, for the analytics route. */
export async function feedbackStats(db: Db, since: Date) {
  const base = db.selectFrom('feedback').where('deleted_at', 'is', null).where('created_at', '>=', since);
  const [totals, byType, byStatus, byPriority, perDay] = await Promise.all([
    base
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn.count<number>('rating').as('rating_count'),
        eb.fn.avg<number | null>('rating').as('average_rating'),
        sql<number>`count(*) FILTER (WHERE status IN ('new', 'in_progress'))`.as('open'),
      ])
      .executeTakeFirstOrThrow(),
    base
      .select(['type as key', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('type')
      .execute(),
    base
      .select(['status as key', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute(),
    base
      .select(['priority as key', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('priority')
      .execute(),
    base
      .select([sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`.as('date'), (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(sql`1`)
      .orderBy(sql`1`)
      .execute(),
  ]);
  return { totals, byType, byStatus, byPriority, perDay };
}

/** Feedback of an erased person (account and asker erasure): returns how many went. */
export function deleteFeedback(trx: Db, ids: number[]) {
  return deleteByIds(trx, 'feedback', ids);
}
