import rateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import type { AppContext } from '../context.ts';
import { tooManyRequests } from '../errors.ts';
import type { App } from './app-type.ts';

/**
 * Per-route limits: a route opts in with `config: { rateLimit: { max, timeWindow } }` (and its own
 * `keyGenerator` for per-user or per-e-mail limits). Counters live in memory on one instance and
 * in Redis (REDIS_URL) when several instances must share them.
 */
export async function installRateLimit(app: App, ctx: AppContext): Promise<void> {
  const redis = ctx.config.redisUrl
    ? new Redis(ctx.config.redisUrl, { connectTimeout: 2000, maxRetriesPerRequest: 1, lazyConnect: false })
    : null;
  if (redis) app.addHook('onClose', async () => void (await redis.quit()));
  await app.register(rateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: 'qc-rl:' } : {}),
    keyGenerator: (req) => req.ip,
    errorResponseBuilder: (_req, context) => tooManyRequests(Math.max(1, Math.ceil(context.ttl / 1000))),
  });
}
