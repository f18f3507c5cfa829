import { Type } from '@fastify/type-provider-typebox';
import { NullableUnion as Nullable } from '../http/schemas.ts';
import type { findConsoleRow, listCommentsWithAuthors } from './feedback-queries.ts';
import { Id, Iso, iso } from './kit.ts';

export type FeedbackRow = NonNullable<Awaited<ReturnType<typeof findConsoleRow>>>;

/** A list row as the console's feedback table reads it; widget fields come from `context`. */
export const Row = Type.Object({
  id: Id,
  type: Type.String(),
  status: Type.String(),
  priority: Type.String(),
  message: Type.String(),
  rating: Nullable(Type.Integer()),
  email: Nullable(Type.String()),
  wants_followup: Type.Boolean(),
  user_id: Nullable(Type.Integer()),
  page_url: Nullable(Type.String()),
  device_type: Nullable(Type.String()),
  journey_stage: Nullable(Type.String()),
  assigned_to: Nullable(Id),
  jira_ticket_key: Nullable(Type.String()),
  jira_ticket_url: Nullable(Type.String()),
  attachment_count: Type.Integer(),
  comment_count: Type.Integer(),
  tags: Type.Array(Type.Object({ id: Id, name: Type.String(), color: Nullable(Type.String()) })),
  created_at: Iso,
  updated_at: Iso,
  resolved_at: Nullable(Iso),
});

const Attachment = Type.Object({
  id: Id,
  file_name: Type.String(),
  file_size: Nullable(Type.Integer()),
  mime_type: Nullable(Type.String()),
  storage_url: Type.String(),
});
const Comment = Type.Object({ id: Id, comment: Type.String(), is_internal: Type.Boolean(), admin_name: Type.String(), created_at: Iso });

export const Detail = {
  feedback: Type.Object({
    ...Row.properties,
    session_id: Nullable(Type.String()),
    expected_behavior: Nullable(Type.String()),
    actual_behavior: Nullable(Type.String()),
    reproduction_steps: Nullable(Type.String()),
  }),
  attachments: Type.Array(Attachment),
  comments: Type.Array(Comment),
  similar: Type.Array(
    Type.Object({
      id: Id,
      type: Type.String(),
      message: Type.String(),
      status: Type.String(),
      similarity_score: Type.Number(),
      created_at: Iso,
    }),
  ),
};

const contextText = (row: FeedbackRow, key: string) => {
  const v = ((row.context ?? {}) as Record<string, unknown>)[key];
  return typeof v === 'string' ? v.slice(0, 2000) : null;
};

export function feedbackOut(r: FeedbackRow, tags: { id: number; name: string }[], jiraUrl: string | null) {
  return {
    id: String(r.id),
    type: r.type,
    status: r.status,
    priority: r.priority,
    message: r.message,
    rating: r.rating,
    email: r.email,
    wants_followup: r.wants_followup,
    user_id: r.user_id === null ? null : Number(r.user_id),
    page_url: r.page_url,
    device_type: contextText(r, 'device_type'),
    journey_stage: contextText(r, 'journey_stage'),
    assigned_to: r.assigned_admin_id === null ? null : String(r.assigned_admin_id),
    jira_ticket_key: r.jira_issue_key,
    jira_ticket_url: jiraUrl,
    attachment_count: Number(r.attachment_count),
    comment_count: Number(r.comment_count),
    tags: tags.map((t) => ({ id: String(t.id), name: t.name, color: null })),
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
    resolved_at: iso(r.resolved_at),
  };
}

export const detailFields = (r: FeedbackRow) => ({
  session_id: r.session_id,
  expected_behavior: contextText(r, 'expected_behavior'),
  actual_behavior: contextText(r, 'actual_behavior'),
  reproduction_steps: contextText(r, 'reproduction_steps'),
});

export const attachmentOut = (a: { id: number; name: string; url: string; size_bytes: number | null; content_type: string | null }) => ({
  id: String(a.id),
  file_name: a.name,
  file_size: a.size_bytes === null ? null : Number(a.size_bytes),
  mime_type: a.content_type,
  storage_url: a.url,
});

export const commentOut = (c: Awaited<ReturnType<typeof listCommentsWithAuthors>>[number]) => ({
  id: String(c.id),
  comment: c.body,
  is_internal: true,
  // A NULL author is a comment synced from the ticket tracker.
  admin_name: c.admin_user_id === null ? 'Jira' : (c.admin_name ?? 'Former admin'),
  created_at: c.created_at.toISOString(),
});

const Count = (name: string) => Type.Array(Type.Object({ [name]: Type.String(), count: Type.Integer() }));
export const Analytics = {
  summary: Type.Object({
    total_count: Type.Integer(),
    rated_count: Type.Integer(),
    avg_rating: Nullable(Type.Number()),
    new_count: Type.Integer(),
    in_progress_count: Type.Integer(),
    resolved_count: Type.Integer(),
    with_email_count: Type.Integer(),
    with_jira_count: Type.Integer(),
    avg_response_hours: Nullable(Type.Number()),
  }),
  by_type: Count('type'),
  by_journey: Count('journey_stage'),
  by_device: Count('device_type'),
  trend: Type.Array(
    Type.Object({
      date: Type.String(),
      count: Type.Integer(),
      bugs: Type.Integer(),
      features: Type.Integer(),
      feedback: Type.Integer(),
      avg_rating: Nullable(Type.Number()),
    }),
  ),
  top_pages: Count('page_url'),
};
