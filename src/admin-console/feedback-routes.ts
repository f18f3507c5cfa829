import { Type } from '@fastify/type-provider-typebox';
import { requireAdmin, SUPER_ADMIN } from '../admin/guard.ts';
import type { AppContext } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { listAttachments } from '../feedback/queries.ts';
import { FeedbackPriority, FeedbackStatus, FeedbackType } from '../feedback/schemas.ts';
import { addComment, changeFeedback, softDeleteFeedback } from '../feedback/service.ts';
import type { App } from '../http/app-type.ts';
import { ErrorBody, NullableUnion as Nullable } from '../http/schemas.ts';
import {
  countConsoleFeedback,
  findConsoleRow,
  listCommentsWithAuthors,
  listConsoleFeedback,
  listTags,
  SORT_COLUMNS,
  type SortColumn,
  tagsOf,
} from './feedback-queries.ts';
import { consoleAnalytics, createTicket, replaceTags } from './feedback-service.ts';
import { Analytics, attachmentOut, commentOut, Detail, detailFields, type FeedbackRow, feedbackOut, Row } from './feedback-shapes.ts';
import { Errors, Id, IdParam, Iso, Ok, ok } from './kit.ts';

const ListQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  type: Type.Optional(FeedbackType),
  status: Type.Optional(FeedbackStatus),
  priority: Type.Optional(FeedbackPriority),
  journey_stage: Type.Optional(Type.String({ maxLength: 40 })),
  assigned_to: Type.Optional(Type.String({ pattern: '^(unassigned|[1-9][0-9]{0,17})$' })),
  has_email: Type.Optional(Type.Boolean()),
  date_from: Type.Optional(Type.String({ format: 'date-time' })),
  date_to: Type.Optional(Type.String({ format: 'date-time' })),
  search: Type.Optional(Type.String({ maxLength: 200 })),
  sort_by: Type.Optional(Type.String({ maxLength: 40 })),
  sort_order: Type.Optional(Type.String({ maxLength: 10 })),
});
const IdOf = Type.Union([IdParam, Type.Integer({ minimum: 1 })]);

export function consoleFeedbackRoutes(app: App, ctx: AppContext): void {
  const urlOf = (key: string | null) => (key && ctx.tickets ? ctx.tickets.urlOf(key) : null);
  const withTags = async (rows: FeedbackRow[]) => {
    const tags = await tagsOf(
      ctx.db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => feedbackOut(r, tags.get(r.id) ?? [], urlOf(r.jira_issue_key)));
  };

  app.get(
    '/api/feedback',
    {
      schema: {
        summary: 'Feedback, filtered and paged',
        querystring: ListQuery,
        response: {
          200: Ok({
            feedback: Type.Array(Row),
            pagination: Type.Object({ page: Type.Integer(), limit: Type.Integer(), total: Type.Integer(), pages: Type.Integer() }),
          }),
          ...Errors,
        },
      },
    },
    async (req) => {
      await requireAdmin(ctx, req);
      const { page = 1, limit = 20, assigned_to, date_from, date_to, sort_by, sort_order, journey_stage, has_email, ...rest } = req.query;
      const filter = {
        ...rest,
        journeyStage: journey_stage,
        hasEmail: has_email,
        assignedTo: assigned_to === undefined || assigned_to === 'unassigned' ? assigned_to : Number(assigned_to),
        dateFrom: date_from ? new Date(date_from) : undefined,
        dateTo: date_to ? new Date(date_to) : undefined,
      } as const;
      const by: SortColumn = (SORT_COLUMNS as readonly string[]).includes(sort_by ?? '') ? (sort_by as SortColumn) : 'created_at';
      const rows = await listConsoleFeedback(ctx.db, filter, { by, asc: sort_order === 'asc' }, limit, (page - 1) * limit);
      const total = await countConsoleFeedback(ctx.db, filter);
      return ok(ctx.now(), { feedback: await withTags(rows), pagination: { page, limit, total, pages: Math.ceil(total / limit) } });
    },
  );

  app.get(
    '/api/feedback/analytics',
    {
      schema: {
        summary: 'Feedback analytics over the last `days` days',
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 30 })) }),
        response: { 200: Ok(Analytics), ...Errors },
      },
    },
    async (req) => {
      await requireAdmin(ctx, req);
      return ok(ctx.now(), await consoleAnalytics(ctx, req.query.days ?? 30));
    },
  );

  const Tag = Type.Object({
    id: Id,
    name: Type.String(),
    color: Nullable(Type.String()),
    description: Nullable(Type.String()),
    created_at: Iso,
  });
  app.get(
    '/api/feedback/tags',
    { schema: { summary: 'Every feedback tag', response: { 200: Ok({ tags: Type.Array(Tag) }), ...Errors } } },
    async (req) => {
      await requireAdmin(ctx, req);
      const tags = (await listTags(ctx.db)).map((t) => ({
        id: String(t.id),
        name: t.name,
        color: null,
        description: null,
        created_at: t.created_at.toISOString(),
      }));
      return ok(ctx.now(), { tags });
    },
  );

  app.post(
    '/api/feedback/tags',
    {
      schema: {
        summary: 'Replace the tags of a feedback item',
        body: Type.Object({ feedback_id: IdOf, tag_ids: Type.Array(IdOf, { maxItems: 50 }) }),
        response: { 200: Ok({ message: Type.String() }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req);
      await replaceTags(ctx, caller, Number(req.body.feedback_id), req.body.tag_ids.map(Number));
      return ok(ctx.now(), { message: 'Tags updated.' });
    },
  );

  app.post(
    '/api/feedback/comments',
    {
      schema: {
        summary: 'Add an internal note to a feedback item',
        body: Type.Object({
          feedback_id: IdOf,
          comment: Type.String({ minLength: 1, maxLength: 5000 }),
          is_internal: Type.Optional(Type.Boolean()),
        }),
        response: {
          201: Ok({
            comment: Type.Object({
              id: Id,
              feedback_id: Id,
              comment: Type.String(),
              is_internal: Type.Boolean(),
              admin_name: Type.String(),
              created_at: Iso,
            }),
            message: Type.String(),
          }),
          ...Errors,
        },
      },
    },
    async (req, reply) => {
      const caller = await requireAdmin(ctx, req);
      const c = await addComment(ctx, caller, Number(req.body.feedback_id), req.body.comment);
      reply.status(201);
      const comment = {
        id: String(c.id),
        feedback_id: String(req.body.feedback_id),
        comment: c.body,
        is_internal: true,
        admin_name: caller.name,
        created_at: c.created_at.toISOString(),
      };
      return ok(ctx.now(), { comment, message: 'Note added.' });
    },
  );

  app.post(
    '/api/feedback/jira',
    {
      schema: {
        summary: 'File the feedback as a Jira ticket (TICKETS=jira)',
        querystring: Type.Object({ id: Type.Optional(IdParam) }),
        body: Type.Object({ feedback_id: Type.Optional(IdOf) }),
        response: {
          201: Ok({ jira_ticket: Type.Object({ key: Type.String(), id: Type.String(), url: Type.String() }), message: Type.String() }),
          ...Errors,
          409: Type.Object({ ...ErrorBody.properties, ticket_key: Type.String(), ticket_url: Type.String() }),
          502: ErrorBody,
        },
      },
      // The console posts no body: the id is in the query.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      const caller = await requireAdmin(ctx, req);
      const id = req.query.id ?? req.body.feedback_id;
      if (id === undefined) throw badRequest('Say which feedback: ?id=<feedback id>.', 'missing_feedback_id');
      const ticket = await createTicket(ctx, caller, Number(id));
      reply.status(201);
      return ok(ctx.now(), { jira_ticket: ticket, message: `Ticket ${ticket.key} created.` });
    },
  );

  const Params = Type.Object({ id: IdParam });
  const rowOr404 = async (id: number) => {
    const row = await findConsoleRow(ctx.db, id);
    if (!row) throw notFound(`No feedback ${id} (it may have been deleted).`, 'feedback_not_found');
    return row;
  };
  app.get(
    '/api/feedback/:id',
    { schema: { summary: 'One feedback item with attachments and notes', params: Params, response: { 200: Ok(Detail), ...Errors } } },
    async (req) => {
      await requireAdmin(ctx, req);
      const id = Number(req.params.id);
      const row = await rowOr404(id);
      const [feedback] = await withTags([row]);
      const attachments = (await listAttachments(ctx.db, id)).map(attachmentOut);
      const comments = (await listCommentsWithAuthors(ctx.db, id)).map(commentOut);
      return ok(ctx.now(), { feedback: { ...feedback!, ...detailFields(row) }, attachments, comments, similar: [] });
    },
  );

  app.patch(
    '/api/feedback/:id',
    {
      schema: {
        summary: 'Triage: status, priority, assignee',
        params: Params,
        body: Type.Object({
          status: Type.Optional(FeedbackStatus),
          priority: Type.Optional(FeedbackPriority),
          assigned_to: Type.Optional(Nullable(IdOf)),
        }),
        response: { 200: Ok({ feedback: Row, message: Type.String() }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req);
      const { status, priority, assigned_to } = req.body;
      const assigned = assigned_to === undefined ? undefined : assigned_to === null ? null : Number(assigned_to);
      await changeFeedback(ctx, caller, Number(req.params.id), { status, priority, assigned_admin_id: assigned });
      const [feedback] = await withTags([await rowOr404(Number(req.params.id))]);
      return ok(ctx.now(), { feedback: feedback!, message: 'Feedback updated.' });
    },
  );

  app.delete(
    '/api/feedback/:id',
    {
      schema: {
        summary: 'Archive (soft-delete) a feedback item (super_admin)',
        params: Params,
        response: { 200: Ok({ message: Type.String() }), ...Errors },
      },
    },
    async (req) => {
      const caller = await requireAdmin(ctx, req, SUPER_ADMIN);
      await softDeleteFeedback(ctx, caller, Number(req.params.id));
      return ok(ctx.now(), { message: 'Feedback archived successfully' });
    },
  );
}
