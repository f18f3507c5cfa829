/**
 * Response schemas (allow-lists) and mappers for questions as the expert sees them. The review
 * token, payment ids and the asker's e-mail to third parties never appear here.
 */
import { type Static, Type } from '@fastify/type-provider-typebox';
import { Nullable } from '../http/schemas.ts';
import type { QuestionRow } from './queries.ts';

const Ms = Nullable(Type.Number({ description: 'epoch milliseconds' }));

/** Legacy POSTs that may come without a body (offer decline, refund) validate as `{}`. */
export async function emptyBodyAsObject(req: { body: unknown }): Promise<void> {
  if (req.body === undefined || req.body === null) req.body = {};
}

export const Attachment = Type.Object({
  name: Type.Optional(Nullable(Type.String())),
  url: Type.Optional(Nullable(Type.String())),
  size: Type.Optional(Nullable(Type.Number())),
  type: Type.Optional(Nullable(Type.String())),
});
export type AttachmentT = Static<typeof Attachment>;

const RecordingSegment = Type.Object({
  id: Type.Union([Type.Number(), Type.String()]),
  url: Nullable(Type.String()),
  duration_sec: Nullable(Type.Number()),
  segment_index: Type.Number(),
  metadata: Type.Object({ mode: Nullable(Type.String()) }),
  provider: Type.String(),
  asset_id: Type.String(),
});

export const ExpertQuestion = Type.Object({
  id: Type.Integer(),
  expert_profile_id: Type.Integer(),
  title: Type.String(),
  text: Nullable(Type.String()),
  status: Type.String(),
  pricing_status: Type.String(),
  question_tier: Type.String(),
  price_cents: Type.Integer(),
  final_price_cents: Nullable(Type.Integer()),
  proposed_price_cents: Nullable(Type.Integer()),
  currency: Type.String(),
  created_at: Type.Number(),
  paid_at: Ms,
  answered_at: Ms,
  refunded_at: Ms,
  offer_expires_at: Ms,
  sla_hours_snapshot: Nullable(Type.Integer()),
  sla_start_time: Ms,
  sla_deadline: Ms,
  sla_missed: Type.Boolean(),
  expert_reviewed_at: Ms,
  hidden: Type.Boolean(),
  payer_email: Type.String(),
  payer_first_name: Nullable(Type.String()),
  payer_last_name: Nullable(Type.String()),
  asker_message: Nullable(Type.String()),
  decline_reason: Nullable(Type.String()),
  refund_reason: Nullable(Type.String()),
  attachments: Type.Array(Attachment),
  media_asset_id: Nullable(Type.Integer()),
  has_recording: Type.Boolean(),
  rating: Type.Optional(Nullable(Type.Integer())),
  recording_segments: Type.Optional(Type.Array(RecordingSegment)),
});
export type ExpertQuestionT = Static<typeof ExpertQuestion>;

export const ms = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

/** jsonb arrays come back parsed; legacy rows may hold a JSON string. */
export function parseAttachments(value: unknown): AttachmentT[] {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return [];
    }
  }
  return Array.isArray(v) ? (v.filter((a) => a && typeof a === 'object') as AttachmentT[]) : [];
}

export function toExpertQuestion(q: QuestionRow, extra: { rating?: number | null } = {}): ExpertQuestionT {
  return {
    id: q.id,
    expert_profile_id: q.expert_profile_id,
    title: q.title,
    text: q.text,
    status: q.status,
    pricing_status: q.pricing_status,
    question_tier: q.question_tier,
    price_cents: q.price_cents,
    final_price_cents: q.final_price_cents,
    proposed_price_cents: q.proposed_price_cents,
    currency: q.currency,
    created_at: q.created_at.getTime(),
    paid_at: ms(q.paid_at),
    answered_at: ms(q.answered_at),
    refunded_at: ms(q.refunded_at),
    offer_expires_at: ms(q.offer_expires_at),
    sla_hours_snapshot: q.sla_hours_snapshot,
    sla_start_time: ms(q.sla_start_time),
    sla_deadline: ms(q.sla_deadline),
    sla_missed: q.sla_missed,
    expert_reviewed_at: ms(q.expert_reviewed_at),
    hidden: q.hidden,
    payer_email: q.payer_email,
    payer_first_name: q.payer_first_name,
    payer_last_name: q.payer_last_name,
    asker_message: q.asker_message,
    decline_reason: q.decline_reason,
    refund_reason: q.refund_reason,
    attachments: parseAttachments(q.attachments),
    media_asset_id: q.media_asset_id,
    has_recording: q.media_asset_id !== null,
    ...('rating' in extra ? { rating: extra.rating ?? null } : {}),
  };
}
