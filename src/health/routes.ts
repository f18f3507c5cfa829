import { Type } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { App } from '../app.ts';
import type { AppContext } from '../context.ts';

const Health = Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]), database: Type.String() });

export function healthRoutes(app: App, ctx: AppContext): void {
  const handler = async (_req: unknown, reply: { status(n: number): unknown }) => {
    try {
      await sql`SELECT 1`.execute(ctx.db);
      return { status: 'ok' as const, database: ctx.database.kind };
    } catch {
      reply.status(503);
      return { status: 'unavailable' as const, database: ctx.database.kind };
    }
  };
  const schema = { tags: ['ops'], summary: 'Liveness and database check', response: { 200: Health, 503: Health } };
  app.get('/health', { schema }, handler);
  app.get('/api/health', { schema: { ...schema, hide: true } }, handler);
}
