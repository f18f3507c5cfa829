/**
 * Input fuzzing: for every operation, fast-check generates path parameters, query strings and
 * bodies from its OpenAPI schemas (valid values and the usual ways of getting them wrong), sent as
 * the rightful caller. Properties: never a 5xx; an input the documented schema refuses is never
 * accepted (2xx); errors keep their shape and 2xx bodies their schema; an oversized body is a 413.
 * FUZZ_RUNS (default 12 per route) and FUZZ_SEED (fixed) make longer or different local runs.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe } from 'vitest';
import { multipart, webm } from '../../src/media/test-helpers.ts';
import { requestValueOf, validatorOf } from './fuzz-arbitrary.ts';
import { buildRequest, curl, type Recorder, routeTest, type Suite, securityApp, send } from './harness.ts';
import type { DocOperation, RouteKey } from './inventory.ts';
import { entry, routeKeys, SECURITY_ENV } from './policy.ts';
import { inspect } from './properties.ts';
import type { Identity, Req, RouteEntry } from './types.ts';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_302);

let s: Suite;
beforeAll(async () => {
  s = await securityApp();
  // The real objects the fuzzer mixes in exist before any fuzzed request can change the experts (availability, handle…).
  for (const key of routeKeys()) {
    const o = entry(key).object;
    if (o) await s.w.object(o.kind, 'owner', o.state, false);
  }
}, 120_000);
afterAll(() => s?.t.close());

type Schema = Record<string, unknown>;
const seedOf = (key: string) => [...key].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) | 0, FUZZ_SEED);

function paramsSchema(op: DocOperation | undefined, where: 'path' | 'query'): Schema | null {
  const ps = (op?.parameters ?? []).filter((p) => p.in === where);
  if (!ps.length) return null;
  return {
    type: 'object',
    properties: Object.fromEntries(ps.map((p) => [p.name, p.schema])),
    required: ps.filter((p) => p.required).map((p) => p.name),
  };
}

/** Path or query parameters: an object with each parameter valid or broken, required ones sometimes missing. */
function paramsArbitrary(schema: Schema | null, realField: string | null, real: unknown): fc.Arbitrary<Record<string, unknown>> {
  if (!schema) return fc.constant({});
  const props = schema.properties as Record<string, Schema>;
  const model = Object.fromEntries(
    Object.entries(props).map(([k, v]) => [
      k,
      k === realField && real !== undefined ? fc.oneof(fc.constant(real), requestValueOf(v)) : requestValueOf(v),
    ]),
  );
  return fc.record(model, { requiredKeys: [] });
}

function rightful(e: RouteEntry): Identity {
  if (e.access === 'admin' || e.access === 'super_admin') return 'admin';
  if (e.access === 'user' || e.access === 'expert' || e.access === 'admin_login') return e.access === 'admin_login' ? 'admin' : 'owner';
  return 'anonymous';
}

async function credentials(e: RouteEntry): Promise<Record<string, string>> {
  const who = rightful(e);
  if (who === 'anonymous') return {};
  const p = s.w.people[who];
  if (e.access === 'admin' || e.access === 'super_admin') return { cookie: `admin_session=${await s.w.adminToken(p)}` };
  return { authorization: `Bearer ${await s.w.mainToken(p)}` };
}

const asQueryValue = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

interface Input {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

function toRequest(key: string, input: Input): Req {
  const [method, pattern] = key.split(' ') as [string, string];
  let path = pattern.replace(/:([A-Za-z_]+)/g, (_m, name: string) => encodeURIComponent(asQueryValue(input.params[name] ?? '')));
  if (path.endsWith('*')) path = path.slice(0, -1) + encodeURIComponent(asQueryValue(input.params['*'] ?? 'x'));
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(input.query ?? {})) if (v !== undefined) qs.append(k, asQueryValue(v));
  const q = qs.toString();
  return {
    method,
    url: q ? `${path}?${q}` : path,
    ...(input.body === undefined ? {} : { payload: JSON.stringify(input.body), headers: { 'content-type': 'application/json' } }),
  };
}

async function fuzzRoute(rec: Recorder, key: RouteKey, e: RouteEntry) {
  const op = s.docs.get((e.alias ?? key) as RouteKey);
  const pathSchema = paramsSchema(op, 'path');
  const querySchema = paramsSchema(op, 'query');
  const bodySchema = op?.requestBody?.content?.['application/json']?.schema ?? null;
  // A real object of the caller, so that valid inputs reach the service and not only the validator.
  const o = e.object;
  const real = o ? await s.w.object(o.kind, 'owner', o.state, false) : undefined;
  const withReal = (arb: fc.Arbitrary<unknown>, field: string) =>
    real === undefined
      ? arb
      : fc.oneof(
          arb,
          arb.map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as object), [field]: real } : v)),
        );
  const inputs: fc.Arbitrary<Input> = fc.record({
    params: paramsArbitrary(pathSchema, o?.in === 'params' ? o.field : null, real),
    query: paramsArbitrary(querySchema, o?.in === 'query' ? o.field : null, real),
    body: bodySchema ? withReal(requestValueOf(bodySchema), o?.in === 'body' ? o.field : '') : fc.constant(undefined),
  });
  const samples = fc.sample(inputs, { numRuns: FUZZ_RUNS, seed: seedOf(key) });
  for (const input of samples) {
    const req = toRequest(key, input);
    req.headers = { ...req.headers, ...(await credentials(e)) };
    const res = await send(s.w, req);
    const repro = curl(req, rightful(e));
    // 502/503 only where documented (a provider that is not configured or not answering); never a 500.
    const documented = res.statusCode !== 500 && Boolean(op?.responses?.[String(res.statusCode)]);
    rec.check(res.statusCode < 500 || documented, 'fuzz: no 5xx', `${res.statusCode}: ${res.body.slice(0, 200)}`, repro);
    const valid = (schema: Schema | null, value: unknown) => schema === null || validatorOf(schema)(clone(value ?? {}));
    const stringly = (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v ?? {}).map(([k, x]) => [k, asQueryValue(x)]));
    // What the router sees: a path parameter left out is an empty segment.
    const pathSeen = Object.fromEntries(
      Object.keys((pathSchema?.properties as object | undefined) ?? {}).map((k) => [k, asQueryValue(input.params[k] ?? '')]),
    );
    const tolerated = input.body === null && Boolean(e.nullBodyIsEmpty);
    const bodyOk = bodySchema === null || input.body === undefined || tolerated || validatorOf(bodySchema)(clone(input.body));
    const isValid = valid(pathSchema, pathSeen) && valid(querySchema, stringly(input.query)) && bodyOk;
    if (!isValid)
      rec.check(res.statusCode >= 400, 'fuzz: invalid input refused', `accepted with ${res.statusCode}: ${res.body.slice(0, 160)}`, repro);
    inspect(rec, s, { key, e, caller: null, repro, shapeOnly: true }, res);
  }
  if (!op && !e.raw && !e.url) {
    // Undocumented routes with no input: junk query strings change nothing.
    for (const junk of fc.sample(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }), {
      numRuns: 3,
      seed: seedOf(key),
    })) {
      const req = toRequest(key, { params: { '*': 'x' }, query: junk, body: undefined });
      const res = await send(s.w, req);
      rec.check(res.statusCode < 500, 'fuzz: no 5xx', `${res.statusCode}`, curl(req, 'anonymous'));
    }
  }
  if (e.raw) await fuzzRaw(rec, key, e);
  await oversized(rec, key, e);
}

/** Routes with raw or multipart bodies: random bytes and content types. */
async function fuzzRaw(rec: Recorder, key: string, e: RouteEntry) {
  const bodies = fc.sample(
    fc.record({
      bytes: fc.uint8Array({ maxLength: 256 }),
      type: fc.constantFrom(
        'audio/webm',
        'application/pdf',
        'multipart/form-data; boundary=x',
        'application/json',
        'text/plain',
        'image/webp',
        'application/octet-stream',
      ),
    }),
    { numRuns: Math.max(3, Math.ceil(FUZZ_RUNS / 2)), seed: seedOf(key) + 1 },
  );
  for (const b of bodies) {
    const req = await buildRequest(s.w, key, e, { caller: null });
    req.payload = Buffer.from(b.bytes);
    req.headers = { 'content-type': b.type };
    const res = await send(s.w, req);
    rec.check(res.statusCode < 500, 'fuzz: no 5xx (raw body)', `${res.statusCode}: ${res.body.slice(0, 200)}`, curl(req, 'anonymous'));
  }
}

const LIMIT = Number(SECURITY_ENV.BODY_LIMIT_BYTES);
const bytes = (k: keyof typeof SECURITY_ENV) => Number(SECURITY_ENV[k]);

/** A body one byte (or more) over the route's limit is refused with 413 before anything runs. */
async function oversized(rec: Recorder, key: string, e: RouteEntry) {
  const method = key.split(' ')[0] as string;
  if (method === 'GET' || method === 'HEAD') return;
  // Anonymous, from a fresh address: the size check comes before any limiter or session check matters.
  const req = await buildRequest(s.w, key, e, { caller: null });
  req.headers = {};
  if (e.bodyLimit === 'multipart') {
    const field = key.includes('profile-picture') ? 'image' : 'file';
    const max = key.includes('profile-picture')
      ? bytes('MEDIA_MAX_IMAGE_BYTES')
      : key.includes('video')
        ? bytes('MEDIA_MAX_VIDEO_BYTES')
        : bytes('MEDIA_MAX_ATTACHMENT_BYTES');
    const part = multipart(field, 'big.webm', 'video/webm', Buffer.concat([webm(max + 1)]));
    req.payload = part.payload;
    req.headers = { ...req.headers, ...part.headers };
  } else if (e.bodyLimit === 'maxAudioBytes' || e.bodyLimit === 'maxAttachmentBytes') {
    const max = bytes(e.bodyLimit === 'maxAudioBytes' ? 'MEDIA_MAX_AUDIO_BYTES' : 'MEDIA_MAX_ATTACHMENT_BYTES');
    req.payload = Buffer.alloc(max + 1, 7);
    req.headers = { ...req.headers, 'content-type': e.bodyLimit === 'maxAudioBytes' ? 'audio/webm' : 'application/pdf' };
  } else {
    const max = e.bodyLimit === 'maxVideoBase64' ? Math.ceil((bytes('MEDIA_MAX_VIDEO_BYTES') * 4) / 3) + 4096 : LIMIT;
    req.payload = JSON.stringify({ pad: 'a'.repeat(max) });
    req.headers = { ...req.headers, 'content-type': 'application/json' };
  }
  const res = await send(s.w, req);
  const repro = curl(req, rightful(e));
  rec.status(res, [413], 'fuzz: oversized body is 413', repro);
  inspect(rec, s, { key: key as RouteKey, e, caller: null, repro, shapeOnly: true }, res);
}

describe('fuzzing from the OpenAPI schemas', () => {
  for (const key of routeKeys()) routeTest('fuzz', key, (rec) => fuzzRoute(rec, key as RouteKey, entry(key)), 180_000);
});
