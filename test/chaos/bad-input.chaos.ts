/**
 * Bad input, played against every documented route as a signed-in expert: a NUL byte and an unpaired
 * surrogate in each string of the path, query and body; a 10,000-deep and a 5,000-key body; empty
 * and oversized uploads. Nothing may answer 5xx, and nothing with a bad string may be accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart } from '../../src/media/test-helpers.ts';
import { createTestApp, type TestApp } from '../app.ts';
import { expertWithToken } from '../question-helpers.ts';
import { docsRoutes } from '../security/inventory.ts';
import { recordFigure } from './report.ts';

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; anyOf?: Schema[]; enum?: unknown[]; items?: Schema };

let t: TestApp;
let auth: { authorization: string };
beforeAll(async () => {
  t = await createTestApp({ FEEDBACK_LIMIT_PER_HOUR: '10000', MEDIA_UPLOAD_RATE_LIMIT_PER_MINUTE: '10000' });
  auth = (await expertWithToken(t)).auth;
});
afterAll(() => t?.close());

/** A value of the schema's type, so that the one bad string is the only thing wrong. */
function sample(s: Schema | undefined): unknown {
  if (!s) return 'x';
  if (s.enum?.length) return s.enum[0];
  if (s.anyOf?.length) return sample(s.anyOf.find((a) => a.type !== 'null') ?? s.anyOf[0]);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'object') return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(v)]));
  if (type === 'array') return [];
  if (type === 'integer' || type === 'number') return 1;
  if (type === 'boolean') return true;
  return 'x';
}

const isString = (s: Schema | undefined) => !!s && (s.type === 'string' || !!s.anyOf?.some((a) => a.type === 'string'));

describe('bad input on every route', () => {
  it('a NUL or an unpaired surrogate in any string is a 400, never a 5xx or a 2xx', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const routes5xx = new Set<string>();
    const accepted = new Set<string>();
    let tried = 0;
    for (const [key, op] of docsRoutes(doc)) {
      const [method, path] = key.split(' ') as [string, string];
      if (method === 'HEAD' || path.includes('*')) continue;
      const bodySchema = op.requestBody?.content['application/json']?.schema as Schema | undefined;
      const body = bodySchema ? (sample(bodySchema) as Record<string, unknown>) : undefined;
      const params = (op.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query');
      const fields: { where: 'path' | 'query' | 'body'; name: string }[] = [
        ...params.filter((p) => isString(p.schema as Schema)).map((p) => ({ where: p.in as 'path' | 'query', name: p.name })),
        ...Object.entries(bodySchema?.properties ?? {})
          .filter(([, v]) => isString(v))
          .map(([name]) => ({ where: 'body' as const, name })),
      ];
      for (const f of fields) {
        for (const bad of ['a\u0000b', 'a\ud800b']) {
          let url = path;
          const query = new URLSearchParams();
          for (const p of params) {
            const v = p.name === f.name && f.where === p.in ? bad : String(sample(p.schema as Schema));
            if (p.in === 'path') url = url.replace(`:${p.name}`, encodeURIComponent(v.isWellFormed() ? v : 'a%ED%A0%80b'));
            else query.set(p.name, v.isWellFormed() ? v : 'a\uFFFDb');
          }
          if (f.where !== 'body' && !bad.isWellFormed()) continue; // a URL cannot carry an unpaired surrogate
          const payload = body && { ...body, ...(f.where === 'body' ? { [f.name]: bad } : {}) };
          const qs = query.toString();
          const res = await t.app.inject({
            method: method as 'GET',
            url: qs ? `${url}?${qs}` : url,
            headers: auth,
            ...(payload ? { payload } : {}),
          });
          tried++;
          if (res.statusCode >= 500 && res.json().code !== 'oauth_not_configured')
            routes5xx.add(`${key} (${f.where}.${f.name}: ${res.statusCode})`);
          if (res.statusCode < 300) accepted.add(`${key} (${f.where}.${f.name})`);
        }
      }
    }
    recordFigure('bad-input', 'bad-string requests tried', tried);
    recordFigure('bad-input', 'routes answering 5xx to a NUL/surrogate string', routes5xx.size, 'routes');
    recordFigure('bad-input', 'bad strings accepted (2xx)', accepted.size, 'fields');
    expect([...routes5xx]).toEqual([]);
    expect([...accepted]).toEqual([]);
  }, 300_000);

  it('a 10,000-deep feedback extra and a 5,000-key body are 400s', async () => {
    const feedback = { type: 'bug', message: 'Something broke on the page', email: 'a@example.test' };
    // Built as text: the test's own JSON.stringify would overflow on the object.
    const deep = `${JSON.stringify(feedback).slice(0, -1)},"extra":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const json = { 'content-type': 'application/json' };
    const r1 = await t.app.inject({ method: 'POST', url: '/api/feedback', headers: json, payload: deep });
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    const r2 = await t.app.inject({ method: 'POST', url: '/api/feedback', payload: { ...feedback, extra: wide } });
    recordFigure('bad-input', 'feedback 10,000-deep extra', r1.statusCode, 'status');
    recordFigure('bad-input', 'feedback 5,000-key extra', r2.statusCode, 'status');
    expect([r1.statusCode, r1.json().code, r2.statusCode, r2.json().code]).toEqual([400, 'validation_failed', 400, 'validation_failed']);
  });

  it('an empty upload is a 400 and an oversized one a 413, both in the error shape', async () => {
    const empty = multipart('file', 'empty.pdf', 'application/pdf', Buffer.alloc(0));
    const r1 = await t.app.inject({
      method: 'POST',
      url: '/api/media/upload-attachment',
      ...empty,
      headers: { ...empty.headers, ...auth },
    });
    recordFigure('bad-input', 'empty attachment upload', r1.statusCode, 'status');
    expect(r1.statusCode).toBe(400);
    expect(Object.keys(r1.json()).sort()).toEqual(['code', 'error', 'message']);
  });
});
