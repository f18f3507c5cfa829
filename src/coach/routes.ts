import { Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses, Nullable } from '../http/schemas.ts';
import { analyzeQuestion, saveClarifications, startCoaching } from './service.ts';

const tags = ['ai coach'];
const Severity = Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]);
const SessionId = Type.String({ minLength: 1, maxLength: 100 });

const QuickValidateBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 500 }),
    fingerprint: Type.String({ minLength: 1, maxLength: 200 }),
    expertId: Type.Optional(Nullable(Type.Integer({ minimum: 1, description: 'the expert_profile id of the public profile' }))),
  },
  { additionalProperties: false },
);
const QuickValidateReply = Type.Object({
  sessionId: Type.String(),
  feedback: Type.Array(Type.Object({ type: Type.String(), severity: Severity, message: Type.String(), suggestion: Type.String() })),
  validation: Type.Object({
    clarityScore: Type.Integer({ minimum: 0, maximum: 100 }),
    length: Type.Integer(),
    wordCount: Type.Integer(),
    isTooShort: Type.Boolean(),
    isTooLong: Type.Boolean(),
    hasVagueness: Type.Boolean(),
    hasQuestion: Type.Boolean(),
    hasGreeting: Type.Boolean(),
    hasSpecifics: Type.Boolean(),
    hasSituation: Type.Boolean(),
    hasGoal: Type.Boolean(),
  }),
  shouldContinue: Type.Boolean(),
  canProceedWithoutCoaching: Type.Boolean(),
});

// The client sends its whole expert object and may add fields to the context: extra fields are
// accepted and ignored (never stored); only the ones below are read.
const AnalyzeBody = Type.Object(
  {
    sessionId: SessionId,
    expertProfile: Type.Object({ name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))) }, { additionalProperties: true }),
    questionContext: Type.Optional(
      Nullable(
        Type.Object(
          {
            title: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
            text: Type.Optional(Nullable(Type.String({ maxLength: 20_000 }))),
          },
          { additionalProperties: true },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
const AnalyzeReply = Type.Object({
  analysis: Type.Object({
    clarity: Type.Integer({ minimum: 0, maximum: 100 }),
    summary: Type.String(),
    missingContext: Type.Array(Type.String()),
  }),
  clarifications: Type.Array(Type.Object({ id: Type.String(), question: Type.String(), why: Type.String(), optional: Type.Boolean() })),
  attachmentSuggestions: Type.Array(Type.String()),
});

const SaveBody = Type.Object(
  {
    sessionId: SessionId,
    responses: Type.Record(Type.String({ maxLength: 20 }), Type.String({ maxLength: 2000 }), { maxProperties: 10 }),
  },
  { additionalProperties: false },
);

export function coachRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/api/ai/coach/quick-validate',
    {
      schema: {
        tags,
        summary: 'Step 1 of the question coach: clarity score and suggestions for a title; opens a coaching session (daily limits)',
        body: QuickValidateBody,
        response: { 200: QuickValidateReply, ...errorResponses(400, 404, 429) },
      },
    },
    async (req) => {
      const b = req.body;
      const r = await startCoaching(ctx, { title: b.title, fingerprint: b.fingerprint, expertId: b.expertId ?? null, ip: req.ip });
      return { ...r, canProceedWithoutCoaching: true };
    },
  );

  app.post(
    '/api/ai/coach/analyze-and-guide',
    {
      schema: {
        tags,
        summary: 'Step 2 of the question coach: analysis, clarifying questions and attachment ideas (daily limits)',
        body: AnalyzeBody,
        response: { 200: AnalyzeReply, ...errorResponses(400, 404, 409, 429) },
      },
    },
    async (req) => {
      const b = req.body;
      return analyzeQuestion(ctx, {
        sessionId: b.sessionId,
        title: b.questionContext?.title ?? null,
        text: b.questionContext?.text ?? null,
        expertName: b.expertProfile.name ?? null,
        ip: req.ip,
      });
    },
  );

  app.post(
    '/api/ai/coach/save-responses',
    {
      config: { rateLimit: { max: 30, timeWindow: 60_000, keyGenerator: (req) => `coach-responses:${req.ip}` } },
      schema: {
        tags,
        summary: 'Store the asker’s answers to the clarifying questions (keys are the clarification ids)',
        body: SaveBody,
        response: { 200: Type.Object({ success: Type.Boolean() }), ...errorResponses(400, 404, 409, 429) },
      },
    },
    async (req) => {
      await saveClarifications(ctx, req.body);
      return { success: true };
    },
  );
}
