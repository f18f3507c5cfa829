/**
 * Step 2 through any OpenAI-compatible chat-completions endpoint (OpenAI, Azure, a local server):
 * structured output with a JSON schema, the answer checked against the same schema, one retry
 * after a timeout, a 429/5xx, a network error or a malformed answer, then the `rules` analysis.
 * Step 1 stays deterministic here too: it runs on every keystroke pause and must be free.
 */
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import type { Analysis, CoachExpert, CoachProvider, CoachQuestion } from './provider.ts';
import { analyse, quickValidate } from './rules.ts';

export interface OpenAiCoachOptions {
  baseUrl: string;
  model: string;
  apiKey: string | null;
  timeoutMs: number;
  /** Where failures are reported (the fallback is silent for the asker). */
  warn: (details: Record<string, unknown>, message: string) => void;
}

const Str = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Answer = Type.Object(
  {
    clarity: Type.Integer({ minimum: 0, maximum: 100 }),
    summary: Str(400),
    missingContext: Type.Array(Str(200), { maxItems: 5 }),
    clarifications: Type.Array(
      Type.Object({ question: Str(300), why: Str(300), optional: Type.Boolean() }, { additionalProperties: false }),
      { minItems: 1, maxItems: 3 },
    ),
    attachmentSuggestions: Type.Array(Str(200), { maxItems: 3 }),
  },
  { additionalProperties: false },
);
type AnswerT = Static<typeof Answer>;

const SYSTEM = [
  'You coach a person who is about to pay an expert to answer one question.',
  'Judge how clear and answerable the question is for that expert, from 0 (unanswerable) to 100 (nothing missing).',
  'Write a one-sentence summary of what they ask, list what context is missing, and ask one to three short clarifying',
  'questions (each answerable in under 30 seconds, each with why it helps). Suggest files to attach only when they would',
  'clearly help. Answer in the language of the question. Reply with JSON only.',
].join(' ');

/** Why one attempt failed; `retry` says whether a second attempt can help. */
class AttemptError extends Error {
  readonly retry: boolean;
  constructor(message: string, retry: boolean) {
    super(message);
    this.retry = retry;
  }
}

function requestBody(model: string, q: CoachQuestion, expert: CoachExpert) {
  return {
    model,
    temperature: 0.2,
    messages: [
      { role: 'system', content: SYSTEM },
      {
        role: 'user',
        content: JSON.stringify({ expert: { name: expert.name, title: expert.professionalTitle }, question: q }),
      },
    ],
    response_format: { type: 'json_schema', json_schema: { name: 'coach_analysis', strict: true, schema: Answer } },
  };
}

async function attempt(o: OpenAiCoachOptions, body: unknown): Promise<AnswerT> {
  let res: Response;
  try {
    res = await fetch(`${o.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
  } catch (err) {
    const timeout = (err as Error).name === 'TimeoutError';
    throw new AttemptError(timeout ? `no answer within ${o.timeoutMs} ms` : `network error: ${(err as Error).message}`, true);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new AttemptError(`HTTP ${res.status}`, res.status === 429 || res.status >= 500);
  let content: unknown;
  try {
    content = (JSON.parse(text) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
  } catch {
    throw new AttemptError('the response is not JSON', true);
  }
  if (typeof content !== 'string') throw new AttemptError('the response has no message content', true);
  let answer: unknown;
  try {
    answer = JSON.parse(content);
  } catch {
    throw new AttemptError('the message content is not JSON', true);
  }
  if (!Value.Check(Answer, answer)) throw new AttemptError('the answer does not match the schema', true);
  return answer;
}

function toAnalysis(a: AnswerT): Analysis {
  return {
    analysis: { clarity: a.clarity, summary: a.summary, missingContext: a.missingContext },
    // Our ids, not the model's: save-responses checks the answers against them.
    clarifications: a.clarifications.map((c, i) => ({ id: `c${i + 1}`, ...c })),
    attachmentSuggestions: a.attachmentSuggestions,
  };
}

export function createOpenAiCoach(o: OpenAiCoachOptions): CoachProvider {
  return {
    name: 'openai',
    validate: quickValidate,
    async analyze(q, expert) {
      const body = requestBody(o.model, q, expert);
      let last: AttemptError | null = null;
      for (let i = 0; i < 2; i++) {
        try {
          return { result: toAnalysis(await attempt(o, body)), servedBy: 'openai' };
        } catch (err) {
          if (!(err instanceof AttemptError)) throw err;
          last = err;
          if (!err.retry) break;
        }
      }
      o.warn({ reason: last?.message, model: o.model }, 'AI coach endpoint failed; answered with the rules analysis');
      return { result: analyse(q, expert), servedBy: 'rules' };
    },
  };
}
