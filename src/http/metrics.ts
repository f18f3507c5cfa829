import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { AppContext } from '../context.ts';
import { notFound } from '../errors.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * /metrics names routes, job health and outbox sizes: with METRICS_TOKEN only for that bearer token,
 * without it only for a scraper on this host. Anyone else sees the same 404 as for an unknown route.
 */
function metricsAllowed(req: FastifyRequest, token: string | null): boolean {
  if (!token) return LOOPBACK.has(req.ip);
  const given = Buffer.from(req.headers.authorization ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Adds a domain's gauges (read at scrape time) to the registry; the app passes them in, so the HTTP kit imports no domain. */
export type MetricsCollector = (registry: Registry, ctx: AppContext) => void;

/** One registry per app instance, so that tests building many apps never share counters. */
export function installMetrics(app: FastifyInstance, ctx: AppContext, collectors: readonly MetricsCollector[]): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const collect of collectors) collect(registry, ctx);
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    // The route pattern, never the raw URL: ids in paths would explode the label set.
    const route = req.routeOptions.url ?? 'unmatched';
    duration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (!metricsAllowed(req, ctx.config.http.metricsToken))
      throw notFound('No route GET /metrics. See /docs for the API.', 'route_not_found');
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return registry;
}
