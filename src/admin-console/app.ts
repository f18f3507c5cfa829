import { randomUUID } from 'node:crypto';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { acceptEmptyJson } from '../http/empty-json.ts';
import { errorBody, installErrorHandler } from '../http/error-handler.ts';
import { installFiniteNumbers } from '../http/finite-numbers.ts';
import { installRateLimit } from '../http/rate-limit.ts';
import { consoleAuthRoutes } from './auth-routes.ts';
import { consoleFeedbackRoutes } from './feedback-routes.ts';
import { consoleFlagRoutes } from './flag-routes.ts';
import { jiraWebhookRoute } from './jira-webhook.ts';
import { consoleSettingsRoutes } from './settings-routes.ts';
import { consoleTeamRoutes } from './team-routes.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Server-to-server, authenticated by its signature rather than a cookie: no Origin to check. */
const SIGNED_PATHS = new Set(['/api/jira-webhook']);
const isApi = (path: string) => path === '/api' || path.startsWith('/api/');
const pathOf = (url: string) => url.split('?')[0] ?? url;

/**
 * The legacy admin console's listener (ADMIN_PORT): its hard-coded same-origin `/api/…` calls on
 * our schema, and its built files for every other GET. A second Fastify instance on the same
 * context as the main app, so the two APIs' `/api/flags` and `/api/feedback` never collide.
 */
export async function createAdminApp(ctx: AppContext): Promise<App> {
  const cfg = ctx.config.adminConsole;
  const app = Fastify({
    loggerInstance: ctx.log.child({ listener: 'admin-console' }) as FastifyBaseLogger,
    bodyLimit: Math.min(ctx.config.bodyLimitBytes, 256 * 1024),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    return503OnClosing: true,
    trustProxy: ctx.config.trustProxy,
    frameworkErrors: (_err, _req, reply) => {
      void (reply as unknown as { status(n: number): { send(b: unknown): unknown } })
        .status(400)
        .send(errorBody('invalid_url', 'The URL is not valid (check its percent-encoding).'));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Every API route, to tell "no such route" (404) from "not with this method" (405).
  const routes: { method: string; pattern: RegExp }[] = [];
  app.addHook('onRoute', (r) => {
    if (!isApi(r.url)) return;
    const pattern = new RegExp(`^${r.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')}$`);
    for (const method of [r.method].flat()) routes.push({ method, pattern });
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', "frame-ancestors 'none'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    // CSRF: the console's own fetches carry its Origin; a page on any other origin (even the main
    // app's, which is same-site and so gets the cookies) cannot make a browser send a matching one.
    const path = pathOf(req.url);
    if (SAFE_METHODS.has(req.method) || !isApi(path) || SIGNED_PATHS.has(path)) return;
    const origin = req.headers.origin;
    if (!origin || !cfg.origins.includes(origin)) {
      throw new HttpError(403, 'cross_origin_refused', 'Changes are accepted only from the admin console itself (Origin check).');
    }
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (isApi(pathOf(req.url)) && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  installErrorHandler(app);
  installFiniteNumbers(app);
  // The console posts some calls with a JSON content type and no body; the webhook needs its raw bytes.
  const rawBodies = new WeakMap<FastifyRequest, string>();
  acceptEmptyJson(app, (req, text) => rawBodies.set(req, text));
  await installRateLimit(app, ctx);

  consoleAuthRoutes(app, ctx);
  consoleFlagRoutes(app, ctx);
  consoleFeedbackRoutes(app, ctx);
  jiraWebhookRoute(app, ctx, (req) => rawBodies.get(req));
  consoleTeamRoutes(app, ctx);
  consoleSettingsRoutes(app, ctx);

  if (cfg.staticDir) await app.register(fastifyStatic, { root: cfg.staticDir, wildcard: false });
  app.setNotFoundHandler((req, reply) => {
    const path = pathOf(req.url);
    if (isApi(path)) {
      const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
      if (allowed.length) {
        reply.header('allow', allowed.join(', '));
        return reply
          .status(405)
          .send(errorBody('method_not_allowed', `${req.method} is not allowed on ${path}: use ${allowed.join(', ')}.`));
      }
      return reply.status(404).send(errorBody('route_not_found', `No admin API route ${req.method} ${path}.`));
    }
    const wantsHtml = String(req.headers.accept ?? '').includes('text/html');
    if (cfg.staticDir && (req.method === 'GET' || req.method === 'HEAD') && wantsHtml) {
      // The console's client routes (/dashboard, /feedback, /settings…) are all index.html.
      return reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html');
    }
    return reply.status(404).send(errorBody('not_found', `Nothing at ${req.method} ${path}.`));
  });
  return app;
}
