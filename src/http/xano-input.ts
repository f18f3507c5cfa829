/**
 * Xano (X) paths take the inputs their Xano functions declared; the Vercel (V, `/api/…`) paths keep
 * their own names and strictness. Each operation has ONE canonical body schema (the V spelling);
 * this module is the only place that knows the X spelling of it:
 * - the X route's body schema is derived from the canonical one (renamed fields, unknown fields
 *   allowed — Xano ignored them), so /docs shows what an X path really accepts;
 * - before validation, a body field that repeats a path parameter (`token`, `id`, `question_id`)
 *   must equal it (else 400) and is then removed, and fields the schema does not name are dropped
 *   (ignored, never written);
 * - after validation the renamed fields get their canonical names back, so handlers and services
 *   see one input shape whichever path was called;
 * - routes where Xano answered a refused state change with 400 get 400 instead of our 409.
 */
import type { RouteOptions } from 'fastify';
import { badRequest, HttpError } from '../errors.ts';

interface XanoInput {
  /** Xano input name → canonical (V) name. */
  rename?: Record<string, string>;
  /** Body field → the path parameter it repeats. */
  echo?: Record<string, string>;
  /** Xano answered 400 where we answer 409 (reused payment, state that does not allow the change). */
  conflictAs400?: boolean;
}

const PAYER = { payer_email: 'payerEmail', payer_first_name: 'payerFirstName', payer_last_name: 'payerLastName' };

/** `METHOD /path` as registered → how its Xano function spelled and answered it. */
const XANO_INPUTS: Record<string, XanoInput> = {
  'POST /question/quick-consult': { rename: { ...PAYER, expert_handle: 'expertHandle' }, conflictAs400: true },
  'POST /question/deep-dive': { rename: { ...PAYER, expert_handle: 'expertHandle' }, conflictAs400: true },
  'GET /question/:id': { echo: { id: 'id', question_id: 'id' } },
  'PATCH /question/:id': { echo: { id: 'id', question_id: 'id' } },
  'POST /question/:id/refund': { echo: { id: 'id', question_id: 'id' }, conflictAs400: true },
  'POST /offers/:id/accept': { echo: { id: 'id', question_id: 'id' }, conflictAs400: true },
  'POST /offers/:id/decline': { echo: { id: 'id', question_id: 'id' }, conflictAs400: true },
  'POST /answer': { conflictAs400: true },
  'POST /payment/capture': { conflictAs400: true },
  'GET /review/:token': { echo: { token: 'token' } },
  'POST /review/:token/feedback': { echo: { token: 'token' }, conflictAs400: true },
  'POST /question/:id/expire-offer': { echo: { id: 'id', question_id: 'id' } },
  'POST /question/:id/expire-sla': { echo: { id: 'id', question_id: 'id' } },
  'GET /internal/user/:id/email': { echo: { id: 'id', user_id: 'id' } },
};

/** Paths that are not Xano's: the Vercel functions and our own operational routes. */
const isXanoPath = (url: string) => !/^\/(api|docs|metrics|health)(\/|$)/.test(url);

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The X form of a canonical object schema: renamed properties, unknown fields allowed. */
function xanoSchema(canonical: Obj, rename: Record<string, string> = {}): Obj {
  const toXano = new Map(Object.entries(rename).map(([x, c]) => [c, x]));
  const props = (canonical.properties ?? {}) as Obj;
  const required = (canonical.required ?? []) as string[];
  return {
    ...canonical,
    properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [toXano.get(k) ?? k, v])),
    ...(required.length ? { required: required.map((k) => toXano.get(k) ?? k) } : {}),
    additionalProperties: true,
  };
}

function checkEcho(input: unknown, params: Obj, echo: Record<string, string>, where: string): void {
  if (!isObject(input)) return;
  for (const [field, param] of Object.entries(echo)) {
    if (!(field in input)) continue;
    if (input[field] !== undefined && input[field] !== null && String(input[field]) !== String(params[param])) {
      throw badRequest(`The ${where} field ${field} must equal the ${param} in the path.`, 'path_parameter_mismatch');
    }
    delete input[field];
  }
}

/** Applies the X spelling to every X route as it is registered (an onRoute hook). */
export function applyXanoInputs(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (!isXanoPath(route.url)) return;
  const spec = XANO_INPUTS[`${methods[0]} ${route.url}`] ?? {};
  const body = route.schema?.body as Obj | undefined;
  const lenient = isObject(body) && body.type === 'object' && body.additionalProperties === false;
  if (!lenient && !spec.echo && !spec.conflictAs400) return;

  const known = lenient ? new Set(Object.keys((xanoSchema(body, spec.rename).properties as Obj) ?? {})) : null;
  if (lenient && route.schema) route.schema = { ...route.schema, body: xanoSchema(body, spec.rename) };
  const prepare = async (req: { body: unknown; query: unknown; params: unknown }) => {
    const params = (req.params ?? {}) as Obj;
    if (spec.echo) {
      checkEcho(req.body, params, spec.echo, 'body');
      checkEcho(req.query, params, spec.echo, 'query');
    }
    if (known && isObject(req.body)) for (const k of Object.keys(req.body)) if (!known.has(k)) delete req.body[k];
  };
  const renameBack = async (req: { body: unknown }) => {
    if (!isObject(req.body)) return;
    for (const [x, c] of Object.entries(spec.rename ?? {})) {
      if (x in req.body) {
        req.body[c] = req.body[x];
        delete req.body[x];
      }
    }
  };
  route.preValidation = [prepare, ...toArray(route.preValidation)] as RouteOptions['preValidation'];
  if (spec.rename) route.preHandler = [...toArray(route.preHandler), renameBack] as RouteOptions['preHandler'];
  if (spec.conflictAs400) {
    const handler = route.handler;
    route.handler = async function (this: unknown, req, reply) {
      try {
        return await handler.call(this as never, req, reply);
      } catch (err) {
        if (err instanceof HttpError && err.status === 409) throw new HttpError(400, err.code, err.message, err.extra);
        throw err;
      }
    };
  }
}

function toArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
