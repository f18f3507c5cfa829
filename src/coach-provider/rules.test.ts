/**
 * The rules coach on a table of real-looking titles and questions: score ranges and the kinds of
 * suggestions it makes, through quick-validate (step 1) and analyze-and-guide (step 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';

let t: TestApp;
let n = 0;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const validate = (title: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/ai/coach/quick-validate',
    payload: { title, fingerprint: `fp_rules${++n}`, expertId: null },
    remoteAddress: `10.9.${n >> 8}.${n & 255}`,
  });

interface Case {
  title: string;
  score: [number, number];
  kinds: string[];
  notKinds?: string[];
}

const GOOD: Case[] = [
  { title: 'How should I price my B2B SaaS product for teams of 50 people?', score: [85, 100], kinds: [] },
  { title: 'What CRM should our 12-person sales team use to replace spreadsheets?', score: [85, 100], kinds: [] },
  {
    title: 'I run a small bakery in Lyon: should I raise prices by 10% or cut costs first?',
    score: [85, 100],
    kinds: [],
  },
  { title: 'Which database should we choose for 2 million daily events: Postgres or MongoDB?', score: [85, 100], kinds: [] },
  { title: 'How can I negotiate a higher salary for my first engineering manager role?', score: [80, 100], kinds: [] },
];

const BAD: Case[] = [
  { title: 'help', score: [0, 20], kinds: ['too_short'] },
  { title: 'marketing', score: [0, 20], kinds: ['too_short'] },
  { title: 'Hi, can you look at this thing?', score: [0, 40], kinds: ['vague', 'greeting', 'not_specific'] },
  { title: 'Thoughts on it', score: [0, 35], kinds: ['too_short', 'vague'] },
  {
    title: 'pricing strategy for a new online course about photography',
    score: [20, 60],
    kinds: ['no_question', 'missing_situation', 'missing_goal'],
  },
  { title: 'WHY IS MY WEBSITE SO SLOW???', score: [20, 65], kinds: ['shouting'], notKinds: ['no_question'] },
  { title: `How should I structure ${'a very long title that keeps going '.repeat(6)}?`, score: [0, 100], kinds: ['too_long'] },
];

describe('the rules coach (COACH=rules)', () => {
  it.each(GOOD)('scores a clear question high and finds nothing to fix: "$title"', async (c) => {
    const res = await validate(c.title);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.validation.clarityScore).toBeGreaterThanOrEqual(c.score[0]);
    expect(body.validation.clarityScore).toBeLessThanOrEqual(c.score[1]);
    expect(body.feedback.filter((f: { severity: string }) => f.severity !== 'low')).toEqual([]);
    expect(body.shouldContinue).toBe(true);
  });

  it.each(BAD)('scores a weak question in its range with actionable suggestions: "$title"', async (c) => {
    const res = await validate(c.title);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.validation.clarityScore).toBeGreaterThanOrEqual(c.score[0]);
    expect(body.validation.clarityScore).toBeLessThanOrEqual(c.score[1]);
    const kinds = body.feedback.map((f: { type: string }) => f.type);
    expect(kinds).toEqual(expect.arrayContaining(c.kinds));
    for (const k of c.notKinds ?? []) expect(kinds).not.toContain(k);
    for (const f of body.feedback) {
      expect(f.message.length).toBeGreaterThan(10);
      expect(f.suggestion.length).toBeGreaterThan(20);
      expect(['high', 'medium', 'low']).toContain(f.severity);
    }
    // Most severe first, so the client's first alert is the one that matters.
    const order = body.feedback.map((f: { severity: string }) => ({ high: 0, medium: 1, low: 2 })[f.severity] as number);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('names the vague word in the suggestion', async () => {
    const body = (await validate('Is this worth it?')).json();
    const vague = body.feedback.find((f: { type: string }) => f.type === 'vague');
    expect(vague.suggestion).toContain('"this"');
  });

  it('gives the same answer for the same question (deterministic)', async () => {
    const a = (await validate('Should I learn Rust or Go for backend work in 2026?')).json();
    const b = (await validate('Should I learn Rust or Go for backend work in 2026?')).json();
    expect(a.validation).toEqual(b.validation);
    expect(a.feedback).toEqual(b.feedback);
    expect(a.sessionId).not.toBe(b.sessionId);
  });

  it('raises the clarity when step 2 gets the details, and asks only for what is missing', async () => {
    const title = 'Pricing for my course';
    const first = (await validate(title)).json();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/ai/coach/analyze-and-guide',
      remoteAddress: '10.9.200.1',
      payload: {
        sessionId: first.sessionId,
        expertProfile: { name: 'Ada' },
        questionContext: {
          title: 'How should I price my online photography course?',
          text: 'I have 3,000 newsletter subscribers and want to launch in March. I am deciding between $49 and $99.',
        },
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.analysis.clarity).toBeGreaterThan(first.validation.clarityScore);
    expect(body.analysis.clarity).toBeGreaterThanOrEqual(85);
    expect(body.analysis.summary).toContain('Ada');
    // Situation, goal and numbers are there: only an optional follow-up is asked.
    expect(body.clarifications).toHaveLength(1);
    expect(body.clarifications[0]).toMatchObject({ id: 'c1', optional: true });

    const vague = (await validate('website help')).json();
    const weak = await t.app.inject({
      method: 'POST',
      url: '/api/ai/coach/analyze-and-guide',
      remoteAddress: '10.9.200.2',
      payload: { sessionId: vague.sessionId, expertProfile: { name: 'Ada' }, questionContext: { title: 'website help', text: null } },
    });
    const w = weak.json();
    expect(w.analysis.missingContext).toEqual([
      'your current situation',
      'the outcome you want',
      'concrete details (numbers, names, tools)',
    ]);
    expect(w.clarifications.map((c: { id: string; optional: boolean }) => [c.id, c.optional])).toEqual([
      ['c1', false],
      ['c2', false],
      ['c3', true],
    ]);
    expect(w.attachmentSuggestions).toEqual(['A link to the page, or a screenshot of it']);
  });
});
