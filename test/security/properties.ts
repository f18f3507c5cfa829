/**
 * Property-level checks, run on every response the matrices receive: errors carry no data, 2xx
 * bodies match the documented schema with no additional properties, and nothing reaches an
 * audience that must not see it (deny-listed fields, review tokens and payment ids handed out to
 * others, e-mail addresses of other people).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Response } from 'light-my-request';
import type { Recorder, Suite } from './harness.ts';
import type { RouteKey } from './inventory.ts';
import { POLICY } from './policy.ts';
import type { Access, RouteEntry } from './types.ts';
import type { Person } from './world.ts';

export type Audience = 'public' | 'expert' | 'admin';

export function audienceOf(access: Access): Audience {
  if (access === 'user' || access === 'expert') return 'expert';
  if (access === 'admin' || access === 'super_admin' || access === 'admin_login') return 'admin';
  return 'public';
}

const SECRETS = [
  'password',
  'token_version',
  'token_hash',
  'code_hash',
  'verification_code',
  'google_oauth',
  'linkedin_oauth',
  'google_sub',
];
const REVIEW = ['review_token', 'playback_token_hash'];
const PAYMENT = [
  'payment_intent_id',
  'stripe_payment_intent_id',
  'checkout_session_id',
  'paymentIntentId',
  'clientSecret',
  'client_secret',
];
const NETWORK = ['ip_address', 'ip_hash', 'visitor_ip_hash', 'client_ip'];
/** Response keys each audience must never receive (unless the route `exposes` the caller's own). */
export const DENY: Record<Audience, string[]> = {
  public: [
    ...SECRETS,
    ...REVIEW,
    ...PAYMENT,
    ...NETWORK,
    'email',
    'payer_email',
    'user_email',
    'payer_first_name',
    'payer_last_name',
    'tier2_auto_decline_below_cents',
    'auto_decline_below_cents',
    'user_id',
    'token',
    'fname',
    'lname',
    'address',
    'zip',
  ],
  expert: [...SECRETS, ...REVIEW, ...PAYMENT, ...NETWORK],
  admin: [...SECRETS, ...REVIEW, 'clientSecret', 'client_secret'],
};

/** Error bodies: the readable text, the stable code, and the retry hints some routes add. */
const ERROR_KEYS = new Set(['error', 'message', 'code', 'retryAfter', 'attemptsLeft']);
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

const ajv = new Ajv({ strict: false, allErrors: false, coerceTypes: false });
addFormats.default(ajv);
const validators = new Map<string, ValidateFunction>();

/**
 * The documented schema with `additionalProperties: false` wherever an object lists its properties
 * (except the members of an allOf, which each list only part of them).
 */
function closed(schema: unknown, close = true): unknown {
  if (Array.isArray(schema)) return schema.map((m) => closed(m, close));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)]));
    else out[k] = closed(v, k !== 'allOf');
  }
  if (close && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function validatorFor(s: Suite, key: RouteKey, status: number): ValidateFunction | null {
  const id = `${key} ${status}`;
  if (validators.has(id)) return validators.get(id) ?? null;
  const op = s.docs.get((POLICY[key]?.alias ?? key) as RouteKey);
  const schema = op?.responses?.[String(status)]?.content?.['application/json']?.schema;
  const v = schema ? ajv.compile(closed(schema) as object) : null;
  if (v) validators.set(id, v);
  return v;
}

interface Walk {
  key: string;
  path: string;
  value: unknown;
}

function* walk(value: unknown, path = '$', key = ''): Generator<Walk> {
  yield { key, path, value };
  if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* walk(v, `${path}[${i}]`, key);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* walk(v, `${path}.${k}`, k);
}

export interface Seen {
  key: RouteKey;
  e: RouteEntry;
  caller: Person | null;
  repro: string;
  /** HEAD or a binary download: no JSON body to inspect. */
  raw?: boolean;
  /** Only the shape checks (error shape, 2xx schema): the fuzzer's own input may come back legitimately. */
  shapeOnly?: boolean;
}

/** E-mail addresses the caller may see: their own and those of the askers of their own questions. */
function emailAllowed(caller: Person | null, email: string): boolean {
  if (!caller) return false;
  if (email === caller.email) return true;
  return email.startsWith(`asker-of-${caller.key}-`) || (caller.key === 'owner' && /^asker-\d+@asker\.test$/.test(email));
}

export function inspect(rec: Recorder, s: Suite, seen: Seen, res: Response): void {
  if (seen.e.noInspect) return;
  const audience = audienceOf(seen.e.access);
  const exposed = new Set(seen.e.exposes ?? []);
  const type = String(res.headers['content-type'] ?? '');
  const isJson = type.includes('application/json') && res.body.length > 0;
  let body: unknown;
  if (isJson) {
    try {
      body = res.json();
    } catch {
      rec.check(false, 'property: JSON body', `content-type says JSON but the body does not parse: ${res.body.slice(0, 120)}`, seen.repro);
      return;
    }
  }
  if (res.statusCode >= 400) {
    const keys = body && typeof body === 'object' ? Object.keys(body) : [];
    rec.check(
      isJson && keys.length > 0 && keys.every((k) => ERROR_KEYS.has(k)),
      'property: errors carry no data',
      `a ${res.statusCode} must be {error, message, code}; got ${res.body.slice(0, 200)}`,
      seen.repro,
    );
  }
  if (seen.shapeOnly) {
    if (res.statusCode >= 200 && res.statusCode < 300 && body !== undefined) checkSchema(rec, s, seen, res, body);
    return;
  }
  const text = res.body;
  for (const secret of s.w.secrets) {
    if (!text.includes(secret)) continue;
    const under =
      body === undefined ? [] : [...walk(body)].filter((n) => typeof n.value === 'string' && (n.value as string).includes(secret));
    const allowed = under.length > 0 && under.every((n) => exposed.has(n.key));
    rec.check(
      allowed,
      'property: no secret of someone else',
      `the response contains a review token or payment id (${under.map((n) => n.path).join(', ') || 'raw body'})`,
      seen.repro,
    );
  }
  if (body === undefined) return;
  for (const n of walk(body)) {
    if (n.key && DENY[audience].includes(n.key) && !exposed.has(n.key) && n.value !== null && n.value !== undefined) {
      rec.check(
        false,
        `property: ${audience} response without ${n.key}`,
        `${n.path} = ${JSON.stringify(n.value).slice(0, 80)}`,
        seen.repro,
      );
    }
    if (audience !== 'admin' && typeof n.value === 'string' && !exposed.has(n.key)) {
      for (const email of n.value.match(EMAIL) ?? []) {
        const ok = audience === 'expert' ? emailAllowed(seen.caller, email) : false;
        rec.check(ok, `property: no e-mail of someone else to ${audience}`, `${n.path} contains ${email}`, seen.repro);
      }
    }
  }
  if (res.statusCode >= 200 && res.statusCode < 300) checkSchema(rec, s, seen, res, body);
}

function checkSchema(rec: Recorder, s: Suite, seen: Seen, res: Response, body: unknown): void {
  const v = validatorFor(s, seen.key, res.statusCode);
  if (!v && seen.e.hidden && !seen.e.alias) return;
  rec.check(v !== null, 'property: documented 2xx schema', `no JSON schema for ${res.statusCode} in /docs/json`, seen.repro);
  if (v) rec.check(v(body), 'property: matches schema, no extra fields', JSON.stringify(v.errors?.slice(0, 2)), seen.repro);
}
