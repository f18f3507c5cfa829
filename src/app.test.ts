import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/app.ts';

describe('server plumbing', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET /health checks the database', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: t.database.kind });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('serves a route under a legacy Xano group prefix as the same route', async () => {
    for (const url of ['/api:3B14WLbJ/health', '/api:BQW1GS7L/health?x=1']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('ok');
    }
  });

  it('answers an unknown route with the JSON error shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api:3B14WLbJ/no/such/route' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: 'No route GET /no/such/route. See /docs for the API.',
      message: 'No route GET /no/such/route. See /docs for the API.',
      code: 'route_not_found',
    });
  });

  it('echoes a sane request id and replaces an unsafe one', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(ok.headers['x-request-id']).toBe('abc-123');
    const bad = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'a b\nc' } });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers CORS preflights with the headers the legacy client sends', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/api:3B14WLbJ/me/profile',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization,content-type,cache-control',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('cache-control');
  });

  it('publishes the OpenAPI document and the docs UI', async () => {
    const doc = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toBe('3.0.3');
    expect(Object.keys(doc.json().paths)).toContain('/health');
    const ui = await t.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });

  it('exposes Prometheus metrics including request durations by route', async () => {
    await t.app.inject({ method: 'GET', url: '/health' });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/);
  });
});

describe('configured CORS origins and the single-page client', () => {
  let t: TestApp;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qc-spa-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>spa</title>');
    writeFileSync(join(dir, 'app.js'), 'console.log(1)');
    t = await createTestApp({ CORS_ORIGINS: 'https://mindpick.me,http://localhost:5173', STATIC_DIR: dir });
  });
  afterAll(() => t.close());

  it('allows only the configured origins', async () => {
    const allowed = await t.app.inject({ method: 'GET', url: '/health', headers: { origin: 'http://localhost:5173' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const other = await t.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
  it('serves files and falls back to index.html for client routes, but not for API paths', async () => {
    const file = await t.app.inject({ method: 'GET', url: '/app.js' });
    expect(file.statusCode).toBe(200);
    expect(file.body).toBe('console.log(1)');
    for (const url of ['/dashboard/inbox', '/r/abc', '/u/ada', '/auth/magic-link?token=x', '/auth/callback?code=1', '/expert/marketing']) {
      const route = await t.app.inject({ method: 'GET', url, headers: html });
      expect(route.statusCode, url).toBe(200);
      expect(route.body).toContain('<title>spa</title>');
    }
  });

  // Every API prefix answers JSON for an unknown route, even to a browser that asks for HTML.
  it.each([
    ['GET', '/api/nope'],
    ['GET', '/api:3B14WLbJ/nope'],
    ['GET', '/api:unknownGroup/nope/deeper'],
    ['GET', '/api:BQW1GS7L'],
    ['GET', '/internal/nope'],
    ['GET', '/me/nope'],
    ['GET', '/question/1/nope'],
    ['GET', '/review/tok/nope'],
    ['GET', '/marketing/nope'],
    ['GET', '/docs/nope/x'],
    ['POST', '/dashboard'],
    ['DELETE', '/auth/callback'],
  ])('%s %s → 404 JSON', async (method, url) => {
    const res = await t.app.inject({ method: method as 'GET', url, headers: html });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ code: 'route_not_found', error: expect.any(String), message: expect.any(String) });
  });

  it('a GET that does not accept HTML gets JSON even outside the API prefixes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/dashboard', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('route_not_found');
  });

  it.each([
    ['DELETE', '/me/profile', 'GET, PUT'],
    ['GET', '/api/questions/quick-consult', 'POST'],
    ['PUT', '/api:BQW1GS7L/review/tok/feedback', 'POST'],
    ['POST', '/internal/media', 'GET'],
  ])('%s %s (another method exists) → 405 JSON with Allow', async (method, url, allow) => {
    const res = await t.app.inject({ method: method as 'GET', url, headers: html });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.json()).toMatchObject({ code: 'method_not_allowed', error: expect.any(String), message: expect.any(String) });
  });
});
