import { Type } from '@fastify/type-provider-typebox';
import { ErrorBody, NullableUnion as Nullable } from '../http/schemas.ts';

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const FEEDBACK_TYPES = ['bug', 'feature', 'feedback', 'question', 'other'] as const;
const FEEDBACK_STATUSES = ['new', 'in_progress', 'resolved', 'archived', 'duplicate', 'wont_fix'] as const;
const FEEDBACK_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;

export const FeedbackType = lit(FEEDBACK_TYPES);
export const FeedbackStatus = lit(FEEDBACK_STATUSES);
export const FeedbackPriority = lit(FEEDBACK_PRIORITIES);

const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** An attachment already uploaded elsewhere; the widget sends its URL. */
const AttachmentIn = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  url: Type.String({ maxLength: 2000, pattern: '^https?://' }),
  size: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ATTACHMENT_BYTES })),
  type: Type.Optional(Type.String({ maxLength: 100 })),
});

/**
 * The widget body. Listed fields are validated; any other field (journey, consent, bug and
 * feature details…) is accepted and stored in `context`, so a new widget field never breaks it.
 */
const SubmitBody = Type.Object(
  {
    type: FeedbackType,
    message: Type.String({ minLength: 10, maxLength: 2000 }),
    // 0 is the widget's "not rated" (stored as no rating); it was read as null only through type coercion.
    rating: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 5 }))),
    email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
    wants_followup: Type.Optional(Type.Boolean()),
    session_id: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    page_url: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    attachments: Type.Optional(Type.Array(AttachmentIn, { maxItems: 5 })),
  },
  { additionalProperties: true },
);

const Errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody };

const Attachment = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  url: Type.String(),
  size_bytes: Nullable(Type.Integer()),
  content_type: Nullable(Type.String()),
});
const Comment = Type.Object({
  id: Type.Integer(),
  admin_user_id: Nullable(Type.Integer()),
  body: Type.String(),
  created_at: Type.Number(),
});

const summaryFields = {
  id: Type.Integer(),
  type: Type.String(),
  message: Type.String(),
  rating: Nullable(Type.Integer()),
  email: Nullable(Type.String()),
  wants_followup: Type.Boolean(),
  page_url: Nullable(Type.String()),
  status: Type.String(),
  priority: Type.String(),
  jira_issue_key: Nullable(Type.String()),
  assigned_admin_id: Nullable(Type.Integer()),
  tags: Type.Array(Type.String()),
  created_at: Type.Number(),
  updated_at: Type.Number(),
  resolved_at: Nullable(Type.Number()),
  deleted_at: Nullable(Type.Number()),
};
const FeedbackSummary = Type.Object(summaryFields);
const FeedbackDetail = Type.Object({
  ...summaryFields,
  session_id: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  user_id: Nullable(Type.Integer()),
  context: Type.Record(Type.String(), Type.Unknown()),
  attachments: Type.Array(Attachment),
  comments: Type.Array(Comment),
});

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Counts = Type.Record(Type.String(), Type.Integer());
const Analytics = Type.Object({
  days: Type.Integer(),
  since: Type.Number(),
  total: Type.Integer(),
  open: Type.Integer(),
  rating_count: Type.Integer(),
  average_rating: Nullable(Type.Number()),
  by_type: Counts,
  by_status: Counts,
  by_priority: Counts,
  per_day: Type.Array(Type.Object({ date: Type.String(), count: Type.Integer() })),
});

const TagsOut = { 200: Type.Object({ tags: Type.Array(Type.String()) }), ...Errors };

/** The operator API's route schemas, one per route (the handlers are in routes.ts). */
export const S = {
  submit: {
    tags: ['feedback'],
    summary: 'Submit feedback from the web widget (public, rate-limited per IP)',
    body: SubmitBody,
    response: { 201: Type.Object({ success: Type.Boolean(), id: Type.Integer() }), ...Errors },
  },
  list: {
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
  analytics: {
    tags: ['feedback'],
    summary: 'Feedback counts by type, status, priority and day, and the average rating (admin)',
    querystring: Type.Object(
      { days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 30 })) },
      { additionalProperties: false },
    ),
    response: { 200: Analytics, ...Errors },
  },
  tagCounts: {
    tags: ['feedback'],
    summary: 'Every tag with the number of live feedback items carrying it (admin)',
    response: { 200: Type.Object({ tags: Type.Array(Type.Object({ name: Type.String(), count: Type.Integer() })) }), ...Errors },
  },
  detail: {
    tags: ['feedback'],
    summary: 'One feedback item with its context, attachments, comments and tags (admin)',
    params: IdParams,
    response: { 200: Type.Object({ feedback: FeedbackDetail }), ...Errors },
  },
  triage: {
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
  remove: {
    tags: ['feedback'],
    summary: 'Soft-delete feedback (super_admin)',
    params: IdParams,
    response: { 200: Type.Object({ success: Type.Boolean() }), ...Errors },
  },
  comment: {
    tags: ['feedback'],
    summary: 'Add an internal comment (admin)',
    params: IdParams,
    body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 5000 }) }, { additionalProperties: false }),
    response: { 201: Type.Object({ comment: Comment }), ...Errors },
  },
  tag: {
    tags: ['feedback'],
    summary: 'Tag feedback; the tag is created on first use (admin)',
    params: IdParams,
    body: Type.Object({ tag: Type.String({ minLength: 1, maxLength: 60 }) }, { additionalProperties: false }),
    response: TagsOut,
  },
  untag: {
    tags: ['feedback'],
    summary: 'Remove a tag from feedback (admin)',
    params: Type.Object({ id: Type.Integer({ minimum: 1 }), tag: Type.String({ minLength: 1, maxLength: 60 }) }),
    response: TagsOut,
  },
} as const;
