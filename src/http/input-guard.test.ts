import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { expertWithToken } from '../../test/question-helpers.ts';

describe('input guard: NUL, unpaired surrogates, depth and width on every route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ FEEDBACK_LIMIT_PER_HOUR: '1000' });
  });
  afterAll(() => t.close());

  const shape = { error: expect.any(String), message: expect.any(String), code: 'validation_failed' };
  const feedbackRows = async () => (await t.ctx.db.selectFrom('feedback').select('id').execute()).length;

  it('refuses a NUL or an unpaired surrogate in a body string with 400, leaving the row unchanged', async () => {
    const e = await expertWithToken(t);
    const account = { fname: 'Ada', lname: 'L', address: 'x', city: 'y', country: 'z', zip: '1' };
    expect((await t.app.inject({ method: 'PUT', url: '/me/account', headers: e.auth, payload: account })).statusCode).toBe(200);
    for (const bad of ['Ad\u0000a', 'Ad\ud800a', 'Ad\udfffa']) {
      const res = await t.app.inject({ method: 'PUT', url: '/me/account', headers: e.auth, payload: { ...account, fname: bad } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual(shape);
      expect(res.json().message).toContain('fname');
    }
    const row = await t.ctx.db.selectFrom('user').select('fname').where('id', '=', e.user.id).executeTakeFirstOrThrow();
    expect(row.fname).toBe('Ada');
    // A well-formed pair (an emoji) is fine.
    const emoji = await t.app.inject({ method: 'PUT', url: '/me/account', headers: e.auth, payload: { ...account, fname: 'Ada 😀' } });
    expect(emoji.statusCode).toBe(200);
  });

  it('refuses a NUL in a query string, a path parameter and a field name', async () => {
    const e = await expertWithToken(t);
    const q = await t.app.inject({ method: 'GET', url: '/me/questions?search=a%00b', headers: e.auth });
    expect([q.statusCode, q.json()]).toEqual([400, shape]);
    const p = await t.app.inject({ method: 'GET', url: '/public/profile?handle=a%00' });
    expect(p.statusCode).toBe(400);
    const path = await t.app.inject({ method: 'GET', url: '/expert/profile/check-handle/a%00b' });
    expect(path.statusCode).toBe(400);
    const key = await t.app.inject({
      method: 'POST',
      url: '/api/feedback',
      payload: { type: 'bug', message: 'A message long enough', 'x\u0000y': 1 },
    });
    expect(key.statusCode).toBe(400);
  });

  it('refuses a 10,000-deep feedback extra and a 5,000-key object with 400, storing nothing', async () => {
    const before = await feedbackRows();
    const base = '{"type":"bug","message":"Something broke on the page","extra":';
    const deep = `${base}${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const r1 = await t.app.inject({ method: 'POST', url: '/api/feedback', headers: { 'content-type': 'application/json' }, payload: deep });
    expect([r1.statusCode, r1.json()]).toEqual([400, shape]);
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    const r2 = await t.app.inject({
      method: 'POST',
      url: '/api/feedback',
      payload: { type: 'bug', message: 'Something broke', extra: wide },
    });
    expect([r2.statusCode, r2.json()]).toEqual([400, shape]);
    expect(await feedbackRows()).toBe(before);
    // Nesting a real client sends still passes.
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/feedback',
      payload: { type: 'bug', message: 'Something broke on the page', extra: { a: { b: { c: [1, 2] } } } },
    });
    expect(ok.statusCode).toBe(201);
  });
});
