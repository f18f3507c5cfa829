import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { accountRoutes } from './account/routes.ts';
import { adminRoutes } from './admin/routes.ts';
import { answerRoutes } from './answers/routes.ts';
import { authRoutes } from './auth/routes.ts';
import { coachRoutes } from './coach/routes.ts';
import type { AppContext } from './context.ts';
import { errorCodeSchema } from './error-codes.ts';
import { expertRoutes } from './experts/routes.ts';
import { feedbackRoutes } from './feedback/routes.ts';
import { registerFileDeletionMetrics } from './file-deletion/metrics.ts';
import { flagRoutes } from './flags/routes.ts';
import { healthRoutes } from './health/routes.ts';
import type { App } from './http/app-type.ts';
import { errorBody, installErrorHandler } from './http/error-handler.ts';
import { installFiniteNumbers } from './http/finite-numbers.ts';
import { installHardening, serverOptions } from './http/hardening.ts';
import { installInputGuard } from './http/input-guard.ts';
import { stripLegacyPrefix } from './http/legacy-prefix.ts';
import { installMetrics } from './http/metrics.ts';
import { installNotFound } from './http/not-found.ts';
import { installRateLimit } from './http/rate-limit.ts';
import { buildValidators } from './http/validators.ts';
import { applyXanoInputs } from './http/xano-input.ts';
import { internalRoutes } from './internal/routes.ts';
import { registerJobMetrics } from './jobs/metrics.ts';
import { marketingRoutes } from './marketing/routes.ts';
import { mediaRoutes } from './media/routes.ts';
import { offerRoutes } from './offers/routes.ts';
import { paymentRoutes } from './payments/routes.ts';
import { providerEventRoutes } from './provider-events/routes.ts';
import { questionRoutes } from './questions/routes.ts';
import { reviewRoutes } from './reviews/routes.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function createApp(ctx: AppContext): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    rewriteUrl: (req) => stripLegacyPrefix(req.url ?? '/'),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Unknown fields are rejected with a 400, not silently dropped (Fastify's default). Coercion is
    // per request part: see buildValidators.
    ajv: { customOptions: { removeAdditional: false, useDefaults: true } },
    schemaController: { compilersFactory: { buildValidator: buildValidators() } },
    ...serverOptions(ctx.config),
    trustProxy: ctx.config.trustProxy,
    // Router errors (bad URL encoding, a path parameter over 100 characters) answer in the error shape
    // too, without echoing the URL back.
    frameworkErrors: (err, _req, reply) => {
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const body = tooLong
        ? errorBody('path_parameter_too_long', 'A path parameter is longer than 100 characters.')
        : errorBody('invalid_url', 'The URL is not valid (check its percent-encoding).');
      void (reply as unknown as { status(n: number): { send(b: unknown): unknown } }).status(tooLong ? 414 : 400).send(body);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // API answers are never cached by the browser: the client re-reads /me/profile after a write.
  app.addHook('onSend', async (_req, reply, payload) => {
    const html = String(reply.getHeader('content-type') ?? '').startsWith('text/html');
    if (!reply.hasHeader('cache-control') && !html) reply.header('cache-control', 'no-store');
    return payload;
  });

  installErrorHandler(app);
  await installHardening(app, ctx.config, ctx.database.kind);
  installFiniteNumbers(app);
  // Before any route: X paths take the Xano input names (src/http/xano-input.ts).
  app.addHook('onRoute', applyXanoInputs);
  installNotFound(app, ctx.config.staticDir);
  installInputGuard(app);
  await app.register(cors, {
    origin: ctx.config.corsOrigins === '*' ? '*' : [...ctx.config.corsOrigins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Cache-Control', 'X-Request-Id', 'Idempotency-Key'],
    exposedHeaders: ['Retry-After', 'X-Request-Id'],
    maxAge: 600,
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'QuickChat Server',
        version: '0.1.0',
        description: 'Paid expert questions (Quick Consult and Deep Dive). Legacy Xano paths are also served under /api:<group>/….',
      },
      servers: [{ url: ctx.config.publicUrl }],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        // The error codes as a table (not an enum on every error body): the body schemas stay as they serialise.
        schemas: { ErrorCode: errorCodeSchema() },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await installRateLimit(app, ctx);
  installMetrics(app, ctx, [
    (registry) => registerJobMetrics(registry, ctx.db),
    (registry) => registerFileDeletionMetrics(registry, ctx.db, ctx.now),
  ]);
  healthRoutes(app, ctx);
  paymentRoutes(app, ctx);
  providerEventRoutes(app, ctx);
  questionRoutes(app, ctx);
  offerRoutes(app, ctx);
  answerRoutes(app, ctx);
  reviewRoutes(app, ctx);
  accountRoutes(app, ctx); // before the media routes: its 410 guard for erased files must reach their scope
  await mediaRoutes(app, ctx);
  authRoutes(app, ctx);
  expertRoutes(app, ctx);
  adminRoutes(app, ctx);
  flagRoutes(app, ctx);
  feedbackRoutes(app, ctx);
  marketingRoutes(app, ctx);
  internalRoutes(app, ctx);
  coachRoutes(app, ctx);

  if (ctx.config.staticDir) {
    await app.register(fastifyStatic, { root: ctx.config.staticDir, wildcard: false });
  }
  return app;
}
