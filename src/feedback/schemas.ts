import { Type } from '@fastify/type-provider-typebox';
import { ErrorBody, NullableUnion as Nullable } from '../http/schemas.ts';

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const FEEDBACK_TYPES = ['bug', 'feature', 'feedback', 'question', 'other'] as const;
export const FEEDBACK_STATUSES = ['new', 'in_progress', 'resolved', 'archived', 'duplicate', 'wont_fix'] as const;
export const FEEDBACK_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;

export const FeedbackType = lit(FEEDBACK_TYPES);
export const FeedbackStatus = lit(FEEDBACK_STATUSES);
export const FeedbackPriority = lit(FEEDBACK_PRIORITIES);

const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** An attachment already uploaded elsewhere; the widget sends its URL. */
export const AttachmentIn = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  url: Type.String({ maxLength: 2000, pattern: '^https?://' }),
  size: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ATTACHMENT_BYTES })),
  type: Type.Optional(Type.String({ maxLength: 100 })),
});

/**
 * The widget body. Listed fields are validated; any other field (journey, consent, bug and
 * feature details…) is accepted and stored in `context`, so a new widget field never breaks it.
 */
export const SubmitBody = Type.Object(
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

export const Errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody };

export const Attachment = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  url: Type.String(),
  size_bytes: Nullable(Type.Integer()),
  content_type: Nullable(Type.String()),
});
export const Comment = Type.Object({
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
export const FeedbackSummary = Type.Object(summaryFields);
export const FeedbackDetail = Type.Object({
  ...summaryFields,
  session_id: Nullable(Type.String()),
  user_agent: Nullable(Type.String()),
  user_id: Nullable(Type.Integer()),
  context: Type.Record(Type.String(), Type.Unknown()),
  attachments: Type.Array(Attachment),
  comments: Type.Array(Comment),
});

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export const Counts = Type.Record(Type.String(), Type.Integer());
export const Analytics = Type.Object({
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
