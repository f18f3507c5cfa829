import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.ts';

/** Deepest nesting a request may use; the deepest real one (feedback context, media metadata) is about 4. */
const MAX_JSON_DEPTH = 32;
/** Keys of one object, and values in the whole request (keys + array items). */
const MAX_OBJECT_KEYS = 1000;
const MAX_JSON_NODES = 20_000;

type Where = 'body' | 'querystring' | 'params';

/** Why a string cannot be stored or compared: PostgreSQL text refuses NUL, and a lone surrogate is not UTF-8. */
function badString(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
  if (!s.isWellFormed()) return 'must be valid Unicode (no unpaired UTF-16 surrogate)';
  return null;
}

const invalid = (where: Where, path: string, why: string) =>
  new HttpError(400, 'validation_failed', `Invalid ${where}: ${path || 'the value'} ${why}.`);

/**
 * Walks one parsed request part without recursion (a 10,000-deep body must not overflow the stack
 * here or in any handler after it) and refuses bad strings, keys included, and oversized shapes.
 */
function checkInput(where: Where, value: unknown): void {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  let nodes = 0;
  while (stack.length) {
    const { v, path, depth } = stack.pop() as { v: unknown; path: string; depth: number };
    if (typeof v === 'string') {
      const why = badString(v);
      if (why) throw invalid(where, path, why);
      continue;
    }
    if (!v || typeof v !== 'object' || Buffer.isBuffer(v) || ArrayBuffer.isView(v)) continue;
    if (depth >= MAX_JSON_DEPTH) throw invalid(where, path, `is nested deeper than ${MAX_JSON_DEPTH} levels`);
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    if (!Array.isArray(v) && entries.length > MAX_OBJECT_KEYS) throw invalid(where, path, `has more than ${MAX_OBJECT_KEYS} fields`);
    nodes += entries.length;
    if (nodes > MAX_JSON_NODES) throw invalid(where, '', `has more than ${MAX_JSON_NODES} values in all`);
    for (const [k, x] of entries) {
      const keyWhy = badString(k);
      if (keyWhy) throw invalid(where, path, `has a field name that ${keyWhy}`);
      stack.push({ v: x, path: path ? `${path}.${k}` : k, depth: depth + 1 });
    }
  }
}

/**
 * One mechanism for every route, schema or not, so no route needs its own NUL or depth check and
 * none reaches SQL with one: the URL's parts as soon as the route is known (some onRequest hooks
 * already look rows up by them), the body once parsed, both before validation.
 */
export function installInputGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (req) => {
    checkInput('params', req.params);
    checkInput('querystring', req.query);
  });
  app.addHook('preValidation', async (req) => {
    checkInput('body', req.body);
  });
}
