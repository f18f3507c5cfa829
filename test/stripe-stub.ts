/**
 * A local stand-in for the part of the Stripe API the adapter uses (PaymentIntents: create,
 * retrieve, update, capture, cancel), on 127.0.0.1, so the real `stripe` SDK can be tested
 * without network or account. Idempotency keys replay the first response, as Stripe does.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: string;
  capture_method: string;
  client_secret: string;
  description: string | null;
  metadata: Record<string, string>;
  cancellation_reason: string | null;
  /** The charge id once confirmed; GET with `expand[]=latest_charge` returns the charge itself. */
  latest_charge: string | null;
}

/** The part of a Charge the adapter reads: when the card's hold ends. */
interface StubCharge {
  id: string;
  object: 'charge';
  payment_intent: string;
  payment_method_details: { type: 'card'; card: { capture_before: number } };
}

export interface StripeStub {
  url: string;
  intents: Map<string, StubIntent>;
  requests: { method: string; path: string; body: Record<string, string>; idempotencyKey: string | null; auth: string | null }[];
  /**
   * What Stripe.js does in the browser: the card is authorized, the intent is held, by a charge
   * whose hold ends at `captureBefore` (unix seconds; default 7 days from now, Stripe's usual).
   */
  confirm(id: string, captureBefore?: number): void;
  charges: Map<string, StubCharge>;
  /** The next n requests answer 500 (an outage). */
  failNext(n: number): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(raw))));
    req.on('error', reject);
  });
}

const metadataOf = (body: Record<string, string>) =>
  Object.fromEntries(Object.entries(body).flatMap(([k, v]) => (k.startsWith('metadata[') ? [[k.slice(9, -1), v]] : [])));

export async function startStripeStub(): Promise<StripeStub> {
  const intents = new Map<string, StubIntent>();
  const charges = new Map<string, StubCharge>();
  const requests: StripeStub['requests'] = [];
  const replay = new Map<string, { status: number; body: unknown }>();
  let failures = 0;
  let seq = 0;

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const [path = '/', query = ''] = (req.url ?? '/').split('?');
    const expand = new URLSearchParams(query).getAll('expand[]').concat(new URLSearchParams(query).getAll('expand[0]'));
    const idempotencyKey = (req.headers['idempotency-key'] as string | undefined) ?? null;
    requests.push({ method: req.method ?? 'GET', path, body, idempotencyKey, auth: req.headers.authorization ?? null });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${++seq}` });
      res.end(JSON.stringify(payload));
    };
    if (failures > 0) {
      failures--;
      return send(500, { error: { type: 'api_error', message: 'Stub outage' } });
    }
    const cacheKey = idempotencyKey && req.method === 'POST' ? `${path}:${idempotencyKey}` : null;
    const cached = cacheKey ? replay.get(cacheKey) : undefined;
    if (cached) return send(cached.status, cached.body);
    const reply = (status: number, payload: unknown) => {
      if (cacheKey) replay.set(cacheKey, { status, body: payload });
      send(status, payload);
    };
    const error = (status: number, code: string, message: string) =>
      reply(status, { error: { type: 'invalid_request_error', code, message } });

    const m = /^\/v1\/payment_intents(?:\/([^/]+))?(?:\/(capture|cancel))?$/.exec(path);
    if (!m) return error(404, 'resource_missing', `Unrecognized request URL (${req.method}: ${path})`);
    const [, id, action] = m;
    if (!id && req.method === 'POST') {
      const pi: StubIntent = {
        id: `pi_stub_${++seq}`,
        object: 'payment_intent',
        amount: Number(body.amount),
        amount_received: 0,
        currency: body.currency ?? 'usd',
        status: 'requires_payment_method',
        capture_method: body.capture_method ?? 'automatic_async',
        client_secret: '',
        description: body.description ?? null,
        metadata: metadataOf(body),
        cancellation_reason: null,
        latest_charge: null,
      };
      pi.client_secret = `${pi.id}_secret_stub`;
      intents.set(pi.id, pi);
      return reply(200, pi);
    }
    const pi = id ? intents.get(id) : undefined;
    if (!pi) return error(404, 'resource_missing', `No such payment_intent: '${id}'`);
    if (req.method === 'GET' && !action) {
      const charge = pi.latest_charge && expand.includes('latest_charge') ? charges.get(pi.latest_charge) : undefined;
      return reply(200, charge ? { ...pi, latest_charge: charge } : pi);
    }
    if (action === 'capture') {
      if (pi.status !== 'requires_capture') {
        return error(
          400,
          'payment_intent_unexpected_state',
          `This PaymentIntent could not be captured because it has a status of ${pi.status}.`,
        );
      }
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
      return reply(200, pi);
    }
    if (action === 'cancel') {
      if (pi.status === 'succeeded' || pi.status === 'canceled') {
        return error(
          400,
          'payment_intent_unexpected_state',
          `This PaymentIntent could not be canceled because it has a status of ${pi.status}.`,
        );
      }
      pi.status = 'canceled';
      pi.cancellation_reason = body.cancellation_reason ?? null;
      return reply(200, pi);
    }
    if (req.method === 'POST') {
      if (body.description !== undefined) pi.description = body.description;
      pi.metadata = { ...pi.metadata, ...metadataOf(body) };
      return reply(200, pi);
    }
    return error(405, 'method_not_allowed', 'Method not allowed');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    intents,
    charges,
    requests,
    confirm(id, captureBefore = Math.floor(Date.now() / 1000) + 7 * 86_400) {
      const pi = intents.get(id);
      if (!pi) throw new Error(`stub: no intent ${id}`);
      pi.status = pi.capture_method === 'manual' ? 'requires_capture' : 'succeeded';
      const charge: StubCharge = {
        id: `ch_stub_${++seq}`,
        object: 'charge',
        payment_intent: id,
        payment_method_details: { type: 'card', card: { capture_before: captureBefore } },
      };
      charges.set(charge.id, charge);
      pi.latest_charge = charge.id;
    },
    failNext(n) {
      failures = n;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
