import { type Static, Type } from '@fastify/type-provider-typebox';
import { bearerSecurity, requireUser } from '../auth/guard.ts';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses, MediaAsset, Nullable } from '../http/schemas.ts';
import { ExpertQuestion, toExpertQuestion } from '../questions/shapes.ts';
import { captureForQuestion, createAnswer, getAnswer, type NewAnswer } from './service.ts';
import { AnswerSchema, toAnswer, toMediaAsset } from './shapes.ts';

const AnswerAttachment = Type.Object({
  name: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  filename: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  url: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  size: Type.Optional(Nullable(Type.Number())),
  type: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  uid: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
});
const AnswerBody = Type.Object(
  {
    question_id: Type.Integer({ minimum: 1 }),
    user_id: Type.Optional(Nullable(Type.Integer({ description: 'ignored: the expert is the signed-in user' }))),
    text_response: Type.Optional(Nullable(Type.String({ maxLength: 50_000 }))),
    media_asset_id: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    attachments: Type.Optional(Nullable(Type.Array(AnswerAttachment, { maxItems: 20 }))),
  },
  { additionalProperties: false },
);

function toInput(b: Static<typeof AnswerBody>): NewAnswer {
  return {
    questionId: b.question_id,
    text: b.text_response?.trim() ? b.text_response : null,
    mediaAssetId: b.media_asset_id ? b.media_asset_id : null,
    attachments: (b.attachments ?? []).map((a) => ({
      name: a.name ?? a.filename ?? null,
      url: a.url ?? null,
      size: a.size ?? null,
      type: a.type ?? null,
      ...(a.uid ? { uid: a.uid } : {}),
    })),
  };
}

const Errors = errorResponses(400, 401, 403, 404, 409, 503);
const base = { tags: ['answers'], security: bearerSecurity };

export function answerRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/answer',
    {
      schema: {
        ...base,
        summary: 'Answer one of my questions (captures the hold); 200 as Xano answered',
        body: AnswerBody,
        response: {
          200: Type.Object({
            id: Type.Integer(),
            question_id: Type.Integer(),
            created_at: Type.Number(),
            sent_at: Nullable(Type.Number()),
            created_answer: AnswerSchema,
            question: ExpertQuestion,
            payment_captured: Type.Boolean(),
          }),
          ...Errors,
        },
      },
    },
    async (req) => {
      const r = await createAnswer(ctx, await requireUser(ctx, req), toInput(req.body));
      const answer = toAnswer(r.answer);
      return {
        id: answer.id,
        question_id: answer.question_id,
        created_at: answer.created_at,
        sent_at: answer.sent_at,
        created_answer: answer,
        question: toExpertQuestion(r.question),
        payment_captured: r.captured,
      };
    },
  );
  app.post(
    '/api/answers/create',
    {
      schema: {
        ...base,
        summary: 'Answer one of my questions (captures the hold, e-mails the asker)',
        body: AnswerBody,
        response: { 201: Type.Object({ success: Type.Boolean(), data: AnswerSchema, payment_captured: Type.Boolean() }), ...Errors },
      },
    },
    async (req, reply) => {
      const r = await createAnswer(ctx, await requireUser(ctx, req), toInput(req.body));
      reply.status(201);
      return { success: true, data: toAnswer(r.answer), payment_captured: r.captured };
    },
  );
  app.get(
    '/answer',
    {
      schema: {
        ...base,
        summary: 'The answer to one of my questions, with its recording',
        querystring: Type.Object({ question_id: Type.Integer({ minimum: 1 }) }),
        response: {
          200: Type.Object({ answer: Nullable(AnswerSchema), media_asset: Nullable(MediaAsset) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (req) => {
      const r = await getAnswer(ctx, await requireUser(ctx, req), req.query.question_id);
      return { answer: r.answer ? toAnswer(r.answer) : null, media_asset: r.media ? toMediaAsset(r.media) : null };
    },
  );
  app.post(
    '/payment/capture',
    {
      schema: {
        ...base,
        tags: ['payments'],
        summary: 'Capture the hold of my answered question now (idempotent)',
        body: Type.Object({ question_id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            success: Type.Boolean(),
            question_id: Type.Integer(),
            payment_status: Type.String(),
            captured_at: Nullable(Type.Number()),
            already_captured: Type.Boolean(),
          }),
          ...Errors,
        },
      },
    },
    async (req) => captureForQuestion(ctx, await requireUser(ctx, req), req.body.question_id),
  );
}
