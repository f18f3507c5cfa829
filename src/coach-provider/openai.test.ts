/**
 * COACH=openai against a local chat-completions stub: the structured request, a valid answer, and
 * every failure (malformed answer, timeout, 5xx, 4xx) ending in one retry at most and the rules
 * analysis — the asker always gets an answer of the same shape.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { type ChatStub, startChatStub, VALID_ANSWER } from '../../test/openai-stub.ts';
import { hex } from '../account/test-helpers.ts';
import { analyse } from './rules.ts';

const TIMEOUT_MS = 300;
let t: TestApp;
let stub: ChatStub;
beforeAll(async () => {
  stub = await startChatStub();
  t = await createTestApp({
    COACH: 'openai',
    COACH_OPENAI_BASE_URL: stub.url,
    COACH_OPENAI_MODEL: 'stub-model-1',
    COACH_OPENAI_API_KEY: 'sk-test-key',
    COACH_TIMEOUT_MS: String(TIMEOUT_MS),
  });
});
afterAll(async () => {
  await t?.close();
  await stub?.close();
});
beforeEach(() => {
  stub.requests.length = 0;
});

const TITLE = 'How should I price my website redesign?';
const CONTEXT = { title: TITLE, text: 'A 5-page site for a dentist.' };

async function analyseVia() {
  const v = await t.app.inject({
    method: 'POST',
    url: '/api/ai/coach/quick-validate',
    payload: { title: TITLE, fingerprint: `fp_${hex()}` },
  });
  expect(v.statusCode).toBe(200);
  const sessionId = v.json().sessionId as string;
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/ai/coach/analyze-and-guide',
    payload: { sessionId, expertProfile: { name: 'Ada' }, questionContext: CONTEXT },
  });
  const row = await t.database.db
    .selectFrom('question_coaching_sessions')
    .selectAll()
    .where('session_key', '=', sessionId)
    .executeTakeFirstOrThrow();
  return { res, row };
}

const rulesAnswer = () => analyse(CONTEXT, { name: 'Ada', professionalTitle: null });

describe('COACH=openai', () => {
  it('keeps step 1 local and sends step 2 as a structured chat completion; returns the checked answer', async () => {
    const { res, row } = await analyseVia();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      analysis: { clarity: 72, summary: VALID_ANSWER.summary, missingContext: ['budget'] },
      clarifications: [
        { id: 'c1', ...VALID_ANSWER.clarifications[0] },
        { id: 'c2', ...VALID_ANSWER.clarifications[1] },
      ],
      attachmentSuggestions: ['A link to the current site'],
    });
    expect(row).toMatchObject({ provider: 'openai', tier_reached: 2 });
    expect(stub.requests).toHaveLength(1);
    const req = stub.requests[0] as ChatStub['requests'][number];
    expect(req.auth).toBe('Bearer sk-test-key');
    expect(req.body).toMatchObject({
      model: 'stub-model-1',
      response_format: { type: 'json_schema', json_schema: { name: 'coach_analysis', strict: true } },
    });
    const schema = (req.body.response_format as { json_schema: { schema: { required: string[]; additionalProperties: boolean } } })
      .json_schema.schema;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required.sort()).toEqual(['attachmentSuggestions', 'clarifications', 'clarity', 'missingContext', 'summary']);
    const user = (req.body.messages as { role: string; content: string }[]).find((m) => m.role === 'user');
    expect(JSON.parse(user?.content ?? '{}')).toMatchObject({ question: CONTEXT });
  });

  it('retries once after a malformed answer and uses the second answer', async () => {
    stub.script({ kind: 'answer', content: { clarity: 'high', summary: '' } });
    const { res, row } = await analyseVia();
    expect(res.statusCode).toBe(200);
    expect(res.json().analysis.clarity).toBe(72);
    expect(row.provider).toBe('openai');
    expect(stub.requests).toHaveLength(2);
  });

  it.each([
    [
      'two malformed answers (schema)',
      [
        { kind: 'answer', content: { ...VALID_ANSWER, clarity: 140 } },
        { kind: 'answer', content: { ...VALID_ANSWER, extra: 1 } },
      ],
      2,
    ],
    [
      'content that is not JSON',
      [
        { kind: 'answer', content: 'Sure! Here is my analysis…' },
        { kind: 'raw', status: 200, body: '<html>' },
      ],
      2,
    ],
    [
      'two 5xx answers',
      [
        { kind: 'raw', status: 503, body: '{"error":{"message":"overloaded"}}' },
        { kind: 'raw', status: 500, body: '' },
      ],
      2,
    ],
    ['a 401 (not retried: a second try cannot help)', [{ kind: 'raw', status: 401, body: '{"error":{"message":"bad key"}}' }], 1],
  ] as const)('falls back to the rules analysis after %s', async (_n, script, calls) => {
    stub.script(...script);
    const { res, row } = await analyseVia();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(rulesAnswer());
    expect(row).toMatchObject({ provider: 'rules', tier_reached: 2 });
    expect(row.analysis).toEqual(rulesAnswer());
    expect(stub.requests).toHaveLength(calls);
  });

  it('gives up on a slow endpoint after the timeout, twice, and answers with the rules analysis', async () => {
    stub.script({ kind: 'slow', ms: 5 * TIMEOUT_MS, content: VALID_ANSWER }, { kind: 'slow', ms: 5 * TIMEOUT_MS, content: VALID_ANSWER });
    const started = Date.now();
    const { res, row } = await analyseVia();
    const took = Date.now() - started;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(rulesAnswer());
    expect(row.provider).toBe('rules');
    expect(stub.requests).toHaveLength(2);
    expect(took).toBeGreaterThanOrEqual(2 * TIMEOUT_MS);
    expect(took).toBeLessThan(5 * TIMEOUT_MS);
  });
});
