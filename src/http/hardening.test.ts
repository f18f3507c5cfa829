import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { expertWithToken } from '../../test/question-helpers.ts';

/** A raw client: what it writes, and everything the server answers until it closes the socket. */
function rawClient(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  const closed = new Promise<{ text: string; afterMs: number }>((resolve) => {
    const started = Date.now();
    socket.on('data', (d) => {
      received += d.toString();
    });
    socket.on('close', () => resolve({ text: received, afterMs: Date.now() - started }));
    socket.on('error', () => {});
  });
  return { socket, closed };
}

const bodyOf = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));

describe('slow clients, overload and framework errors (real socket)', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({
      HTTP_HEADERS_TIMEOUT_MS: '500',
      HTTP_MAX_IN_FLIGHT: '1',
      HTTP_QUEUE_TIMEOUT_MS: '200',
      UPLOADS_PER_IP_CONCURRENT: '1',
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(() => t?.close());

  it('closes a connection whose headers trickle in (408 in the error shape)', async () => {
    const c = rawClient(port);
    c.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    const tick = setInterval(() => c.socket.writable && c.socket.write('X-A: b\r\n'), 100);
    const { text, afterMs } = await c.closed;
    clearInterval(tick);
    expect(afterMs).toBeLessThan(3000);
    expect(text).toMatch(/^HTTP\/1.1 408/);
    expect(bodyOf(text)).toMatchObject({ code: 'request_timeout', error: expect.any(String), message: expect.any(String) });
  });

  it('answers oversized headers with 431 in the error shape', async () => {
    const c = rawClient(port);
    c.socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const { text } = await c.closed;
    expect(text).toMatch(/^HTTP\/1.1 431/);
    expect(bodyOf(text)).toEqual({ error: expect.any(String), message: expect.any(String), code: 'headers_too_large' });
  });

  it('sheds with 503 and Retry-After after a short queue instead of making clients wait', async () => {
    // A request whose body never comes holds the only slot.
    const holder = rawClient(port);
    holder.socket.write('POST /api/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${port}/docs/json`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ code: 'overloaded', retryAfter: 1 });
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    holder.socket.destroy();
    await holder.closed;
    await new Promise((r) => setTimeout(r, 50));
    expect((await fetch(`http://127.0.0.1:${port}/docs/json`)).status).toBe(200);
  });

  it('caps the uploads one IP may have in progress', async () => {
    const first = rawClient(port);
    first.socket.write(
      'POST /api/media/upload-attachment HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\n',
    );
    await new Promise((r) => setTimeout(r, 100));
    // The first upload also holds the single in-flight slot; the cap answers before the queue.
    try {
      const second = await fetch(`http://127.0.0.1:${port}/api/media/upload-attachment`, { method: 'POST', body: 'x' });
      expect(second.status).toBe(429);
      expect(await second.json()).toMatchObject({ code: 'too_many_uploads' });
    } finally {
      first.socket.destroy();
      await first.closed;
    }
  });

  it('cuts off a body that trickles in below the minimum rate', async () => {
    const c = rawClient(port);
    c.socket.write('POST /api/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
    const tick = setInterval(() => c.socket.writable && c.socket.write(' '), 500);
    const { text, afterMs } = await c.closed;
    clearInterval(tick);
    expect(afterMs).toBeLessThan(11_000);
    expect(text).toMatch(/^HTTP\/1.1 408/);
    expect(bodyOf(text).code).toBe('request_too_slow');
  }, 15_000);
});

describe('headers, metrics and strict JSON (inject)', () => {
  let t: TestApp;
  let tls: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ METRICS_TOKEN: 'metrics-token-metrics-token-1234' });
    tls = await createTestApp({ TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await t?.close();
    await tls?.close();
  });

  it('puts security headers on API, error and docs responses; HSTS only behind TLS', async () => {
    for (const url of ['/health', '/nope', '/docs/json', '/docs/static/index.html']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
      expect(res.headers['strict-transport-security'], url).toBeUndefined();
    }
    const behind = await tls.app.inject({ method: 'GET', url: '/health' });
    expect(behind.headers['strict-transport-security']).toMatch(/max-age=31536000/);
  });

  it('serves /metrics only with its token, or to this host when there is none', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    const wrong = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } });
    expect([wrong.statusCode, wrong.json().code]).toEqual([404, 'route_not_found']);
    const ok = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer metrics-token-metrics-token-1234' },
    });
    expect(ok.statusCode).toBe(200);
    expect((await tls.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9' })).statusCode).toBe(404);
    expect((await tls.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
  });

  it('does not coerce JSON body types ("7500", [7500], true are not numbers), but still coerces query strings', async () => {
    const e = await expertWithToken(t);
    for (const bad of ['7500', [7500], true]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/payments/create-intent',
        payload: { amount: bad, currency: 'usd', expertHandle: e.profile.handle, tierType: 'quick_consult' },
      });
      expect([res.statusCode, res.json().code], JSON.stringify(bad)).toEqual([400, 'validation_failed']);
    }
    expect(await t.ctx.db.selectFrom('simulated_payment_intent').select('id').execute()).toEqual([]);
    const q = await t.app.inject({ method: 'GET', url: '/me/questions?page=1&per_page=5', headers: e.auth });
    expect(q.statusCode).toBe(200);
  });

  it('answers framework errors in the error shape: 404, 413, 415, invalid JSON, NUL in a path', async () => {
    const shape = { error: expect.any(String), message: expect.any(String), code: expect.any(String) };
    const cases = [
      await t.app.inject({ method: 'GET', url: '/nope' }),
      await t.app.inject({ method: 'POST', url: '/api/feedback', headers: { 'content-type': 'text/xml' }, payload: '<a/>' }),
      await t.app.inject({ method: 'POST', url: '/api/feedback', headers: { 'content-type': 'application/json' }, payload: '{"a":' }),
      await t.app.inject({ method: 'POST', url: '/api/feedback', payload: { message: 'x'.repeat(2 * 1024 * 1024) } }),
      await t.app.inject({ method: 'GET', url: '/expert/profile/check-handle/a%00b' }),
    ];
    expect(cases.map((r) => r.statusCode)).toEqual([404, 415, 400, 413, 400]);
    for (const r of cases) expect(r.json()).toMatchObject(shape);
  });
});
