import { createHmac, timingSafeEqual } from 'node:crypto';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { HttpError, unauthorized } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { applyJiraEvent, type JiraEvent } from './feedback-service.ts';
import { Errors, Ok, ok } from './kit.ts';

/** Jira signs admin webhooks with HMAC-SHA256 of the raw body: `X-Hub-Signature: sha256=<hex>`. */
function validJiraSignature(secret: string, rawBody: string, header: unknown): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice(7), 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function jiraWebhookRoute(app: App, ctx: AppContext, rawBodyOf: (req: FastifyRequest) => string | undefined): void {
  app.post(
    '/api/jira-webhook',
    {
      schema: {
        summary: 'Jira webhook (signed with JIRA_WEBHOOK_SECRET): linked feedback follows the ticket',
        body: Type.Object({
          webhookEvent: Type.Optional(Type.String({ maxLength: 100 })),
          issue: Type.Optional(Type.Object({ key: Type.Optional(Type.String({ maxLength: 50 })), fields: Type.Optional(Type.Unknown()) })),
          comment: Type.Optional(Type.Object({ body: Type.Optional(Type.Unknown()) })),
        }),
        response: { 200: Ok({ message: Type.String() }), ...Errors },
      },
      // The signature is checked before the body is even validated: unsigned requests learn nothing.
      preValidation: async (req) => {
        const secret = ctx.config.tickets.webhookSecret;
        if (!secret) throw new HttpError(404, 'webhook_disabled', 'The Jira webhook is off on this server.');
        if (!validJiraSignature(secret, rawBodyOf(req) ?? '', req.headers['x-hub-signature'])) {
          throw unauthorized('The webhook signature is missing or wrong.', 'invalid_signature');
        }
      },
    },
    async (req) => ok(ctx.now(), { message: await applyJiraEvent(ctx, req.body as JiraEvent) }),
  );
}
