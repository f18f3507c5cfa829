import { Type } from '@fastify/type-provider-typebox';
import { FeedbackPriority, FeedbackStatus, FeedbackType } from '../feedback/schemas.ts';
import { ErrorBody, NullableUnion as Nullable } from '../http/schemas.ts';
import { Analytics, Detail, Row } from './feedback-shapes.ts';
import { Errors, Id, IdParam, Iso, Ok } from './kit.ts';

/** The console's request and response schemas for /api/feedback*, one per route (legacy `admin/api/feedback/*.js`). */

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
/** The console sends ids as strings, some older screens as numbers. */
const IdOf = Type.Union([IdParam, Type.Integer({ minimum: 1 })]);
const Params = Type.Object({ id: IdParam });
const Message = Ok({ message: Type.String() });

const Tag = Type.Object({
  id: Id,
  name: Type.String(),
  color: Nullable(Type.String()),
  description: Nullable(Type.String()),
  created_at: Iso,
});
const NoteOut = Type.Object({
  id: Id,
  feedback_id: Id,
  comment: Type.String(),
  is_internal: Type.Boolean(),
  admin_name: Type.String(),
  created_at: Iso,
});

export const S = {
  list: {
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
  analytics: {
    summary: 'Feedback analytics over the last `days` days',
    querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 30 })) }),
    response: { 200: Ok(Analytics), ...Errors },
  },
  tags: { summary: 'Every feedback tag', response: { 200: Ok({ tags: Type.Array(Tag) }), ...Errors } },
  replaceTags: {
    summary: 'Replace the tags of a feedback item',
    body: Type.Object({ feedback_id: IdOf, tag_ids: Type.Array(IdOf, { maxItems: 50 }) }),
    response: { 200: Message, ...Errors },
  },
  addNote: {
    summary: 'Add an internal note to a feedback item',
    body: Type.Object({
      feedback_id: IdOf,
      comment: Type.String({ minLength: 1, maxLength: 5000 }),
      is_internal: Type.Optional(Type.Boolean()),
    }),
    response: { 201: Ok({ comment: NoteOut, message: Type.String() }), ...Errors },
  },
  jira: {
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
  detail: { summary: 'One feedback item with attachments and notes', params: Params, response: { 200: Ok(Detail), ...Errors } },
  triage: {
    summary: 'Triage: status, priority, assignee',
    params: Params,
    body: Type.Object({
      status: Type.Optional(FeedbackStatus),
      priority: Type.Optional(FeedbackPriority),
      assigned_to: Type.Optional(Nullable(IdOf)),
    }),
    response: { 200: Ok({ feedback: Row, message: Type.String() }), ...Errors },
  },
  archive: { summary: 'Archive (soft-delete) a feedback item (super_admin)', params: Params, response: { 200: Message, ...Errors } },
} as const;
