import { Type } from '@fastify/type-provider-typebox';
import type { Selectable } from 'kysely';
import type { AnswerTable, MediaAssetTable } from '../db/schema.ts';
import { Nullable } from '../http/schemas.ts';
import { parseMetadata } from '../questions/segments.ts';
import { Attachment, ms, parseAttachments } from '../questions/shapes.ts';

export const AnswerSchema = Type.Object({
  id: Type.Integer(),
  question_id: Type.Integer(),
  user_id: Type.Integer(),
  created_at: Type.Number(),
  sent_at: Nullable(Type.Number()),
  text_response: Nullable(Type.String()),
  media_asset_id: Nullable(Type.Integer()),
  attachments: Type.Array(Type.Intersect([Attachment, Type.Object({ uid: Type.Optional(Nullable(Type.String())) })])),
  rating: Nullable(Type.Integer()),
  feedback_text: Nullable(Type.String()),
  feedback_at: Nullable(Type.Number()),
  allow_testimonial: Type.Boolean(),
});

export function toAnswer(a: Selectable<AnswerTable>) {
  return {
    id: a.id,
    question_id: a.question_id,
    user_id: a.user_id,
    created_at: a.created_at.getTime(),
    sent_at: ms(a.sent_at),
    text_response: a.text_response,
    media_asset_id: a.media_asset_id,
    attachments: parseAttachments(a.attachments),
    rating: a.rating,
    feedback_text: a.feedback_text,
    feedback_at: ms(a.feedback_at),
    allow_testimonial: a.allow_testimonial,
  };
}

export function toMediaAsset(m: Selectable<MediaAssetTable>) {
  return {
    id: m.id,
    provider: m.provider,
    asset_id: m.asset_id,
    url: m.url,
    duration_sec: m.duration_sec,
    status: m.status,
    metadata: parseMetadata(m.metadata),
    segment_index: m.segment_index,
    created_at: m.created_at.getTime(),
  };
}
