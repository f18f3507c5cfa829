import { Type } from '@fastify/type-provider-typebox';
import { audit, requireAdmin, SUPER_ADMIN } from '../admin/guard.ts';
import { optionalUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { FeedbackTable } from '../db/schema.ts';
import { HttpError, notFound } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { countFeedback, findFeedback, listAttachments, listComments, listFeedback, listTagCounts, listTagNames } from './queries.ts';
import {
  Analytics,
  Comment,
  Errors,
  FeedbackDetail,
  FeedbackPriority,
  FeedbackStatus,
  FeedbackSummary,
  FeedbackType,
  IdParams,
  SubmitBody,
} from './schemas.ts';
import { addComment, addTag, changeFeedback, feedbackAnalytics, removeTag, softDeleteFeedback, submitFeedback } from './service.ts';

type Row = { [K in keyof FeedbackTable]: unknown } & {
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  deleted_at: Date | null;
};
const ms = (d: Date | null) => (d ? d.getTime() : null);
const times = (r: Row) => ({
  created_at: r.created_at.getTime(),
  updated_at: r.updated_at.getTime(),
  resolved_at: ms(r.resolved_at),
  deleted_at: ms(r.deleted_at),
});
const commentOut = (c: { id: number; admin_user_id: number | null; body: string; created_at: Date }) => ({
  ...c,
  created_at: c.created_at.getTime(),
});

export function feedbackRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/api/feedback',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Submit feedback from the web widget (public, rate-limited per IP)',
        body: SubmitBody,
        response: { 201: Type.Object({ success: Type.Boolean(), id: Type.Integer() }), ...Errors },
      },
      config: { rateLimit: { max: ctx.config.feedbackLimitPerHour, timeWindow: 3_600_000, keyGenerator: (req) => `feedback:${req.ip}` } },
    },
    async (req, reply) => {
      // A stale token must not lose the user's feedback: an invalid one is treated as anonymous.
      const user = await optionalUser(ctx, req).catch((err) => {
        if (err instanceof HttpError && err.status === 401) return null;
        throw err;
      });
      const id = await submitFeedback(ctx, { body: req.body, userAgent: req.headers['user-agent'] ?? null, userId: user?.id ?? null });
      reply.status(201);
      return { success: true, id };
    },
  );

  app.get(
    '/api/feedback',
    {
      schema: {
        tags: ['feedback'],
        summary: 'List feedback, newest first (admin)',
        querystring: Type.Object(
          {
            status: Type.Optional(FeedbackStatus),
            type: Type.Optional(FeedbackType),
            priority: Type.Optional(FeedbackPriority),
            tag: Type.Optional(Type.String({ maxLength: 40 })),
            q: Type.Optional(Type.String({ maxLength: 200 })),
            include_deleted: Type.Optional(Type.Boolean()),
            page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            feedback: Type.Array(FeedbackSummary),
            pagination: Type.Object({ page: Type.Integer(), limit: Type.Integer(), total: Type.Integer() }),
          }),
          ...Errors,
        },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req);
      const { page = 1, limit = 50, include_deleted, ...rest } = req.query;
      const filter = { ...rest, tag: rest.tag?.trim().toLowerCase(), includeDeleted: include_deleted ?? false };
      const [rows, total] = [await listFeedback(ctx.db, filter, limit, (page - 1) * limit), await countFeedback(ctx.db, filter)];
      await audit(ctx.db, caller, { action: 'feedback.list', details: { filter: req.query, count: rows.length } }, ctx.now());
      return { feedback: rows.map((r) => ({ ...r, ...times(r) })), pagination: { page, limit, total } };
    },
  );

  app.get(
    '/api/feedback/analytics',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Feedback counts by type, status, priority and day, and the average rating (admin)',
        querystring: Type.Object(
          { days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 30 })) },
          { additionalProperties: false },
        ),
        response: { 200: Analytics, ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req);
      const result = await feedbackAnalytics(ctx, req.query.days ?? 30);
      await audit(ctx.db, caller, { action: 'feedback.analytics' }, ctx.now());
      return result;
    },
  );

  app.get(
    '/api/feedback/tags',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Every tag with the number of live feedback items carrying it (admin)',
        response: { 200: Type.Object({ tags: Type.Array(Type.Object({ name: Type.String(), count: Type.Integer() })) }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req);
      const tags = await listTagCounts(ctx.db);
      await audit(ctx.db, caller, { action: 'feedback.tag_list' }, ctx.now());
      return { tags: tags.map((t) => ({ name: t.name, count: Number(t.count) })) };
    },
  );

  app.get(
    '/api/feedback/:id',
    {
      schema: {
        tags: ['feedback'],
        summary: 'One feedback item with its context, attachments, comments and tags (admin)',
        params: IdParams,
        response: { 200: Type.Object({ feedback: FeedbackDetail }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req);
      const id = req.params.id;
      const row = await findFeedback(ctx.db, id);
      if (!row) throw notFound(`No feedback #${id}.`, 'feedback_not_found');
      const [attachments, comments, tags] = [
        await listAttachments(ctx.db, id),
        await listComments(ctx.db, id),
        await listTagNames(ctx.db, id),
      ];
      await audit(ctx.db, caller, { action: 'feedback.view', targetType: 'feedback', targetId: id }, ctx.now());
      const context = (row.context ?? {}) as Record<string, unknown>;
      return { feedback: { ...row, ...times(row), context, tags, attachments, comments: comments.map(commentOut) } };
    },
  );

  app.patch(
    '/api/feedback/:id',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Triage feedback: status, priority, assignee, Jira key (admin)',
        params: IdParams,
        body: Type.Object(
          {
            status: Type.Optional(FeedbackStatus),
            priority: Type.Optional(FeedbackPriority),
            assigned_admin_id: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
            jira_issue_key: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Z][A-Z0-9_]*-[0-9]+$', maxLength: 50 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ feedback: FeedbackSummary }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req);
      const row = await changeFeedback(ctx, caller, req.params.id, req.body);
      return { feedback: { ...row, ...times(row), tags: await listTagNames(ctx.db, row.id) } };
    },
  );

  app.delete(
    '/api/feedback/:id',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Soft-delete feedback (super_admin)',
        params: IdParams,
        response: { 200: Type.Object({ success: Type.Boolean() }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req, SUPER_ADMIN);
      await softDeleteFeedback(ctx, caller, req.params.id);
      return { success: true };
    },
  );

  app.post(
    '/api/feedback/:id/comments',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Add an internal comment (admin)',
        params: IdParams,
        body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 5000 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ comment: Comment }), ...Errors },
      },
    },
    async (req, reply) => {
      const caller = await requireAdmin(ctx, req);
      const comment = await addComment(ctx, caller, req.params.id, req.body.body);
      reply.status(201);
      return { comment: commentOut(comment) };
    },
  );

  const TagsOut = { 200: Type.Object({ tags: Type.Array(Type.String()) }), ...Errors };
  app.post(
    '/api/feedback/:id/tags',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Tag feedback; the tag is created on first use (admin)',
        params: IdParams,
        body: Type.Object({ tag: Type.String({ minLength: 1, maxLength: 60 }) }, { additionalProperties: false }),
        response: TagsOut,
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req);
      return { tags: await addTag(ctx, caller, req.params.id, req.body.tag) };
    },
  );

  app.delete(
    '/api/feedback/:id/tags/:tag',
    {
      schema: {
        tags: ['feedback'],
        summary: 'Remove a tag from feedback (admin)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }), tag: Type.String({ minLength: 1, maxLength: 60 }) }),
        response: TagsOut,
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req);
      return { tags: await removeTag(ctx, caller, req.params.id, req.params.tag) };
    },
  );
}
