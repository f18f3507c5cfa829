import { Type } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { App } from '../http/app-type.ts';
import { signInProblems } from './checks.ts';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  database: Type.String(),
  /** Why sign-in (or the database) cannot work right now; absent when all is well. */
  problems: Type.Optional(Type.Array(Type.String())),
  /** Connections to PostgreSQL lost since start, and when the last outage began and ended. */
  outages: Type.Optional(Type.Integer()),
  last_outage_at: Type.Optional(Type.String()),
  last_recovered_at: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export function healthRoutes(app: App, ctx: AppContext): void {
  const handler = async (_req: unknown, reply: { status(n: number): unknown; header(k: string, v: string): unknown }) => {
    const problems = await signInProblems(ctx);
    try {
      await sql`SELECT 1`.execute(ctx.db);
    } catch {
      problems.unshift('database unreachable');
    }
    const h = ctx.database.health.state();
    const outage = h.lastOutageAt
      ? { outages: h.outages, last_outage_at: h.lastOutageAt.toISOString(), last_recovered_at: h.lastRecoveredAt?.toISOString() ?? null }
      : {};
    if (problems.length) {
      reply.status(503);
      reply.header('retry-after', '5');
      return { status: 'unavailable' as const, database: ctx.database.kind, problems, ...outage };
    }
    return { status: 'ok' as const, database: ctx.database.kind, ...outage };
  };
  const schema = { tags: ['ops'], summary: 'Liveness, database and sign-in check', response: { 200: Health, 503: Health } };
  app.get('/health', { schema }, handler);
  app.get('/api/health', { schema: { ...schema, hide: true } }, handler);
}
