import { Type } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import { errorResponses } from '../http/schemas.ts';
import { PaymentProviderError } from '../payment-provider/provider.ts';
import { handleProviderEvent } from './service.ts';

export function providerEventRoutes(app: App, ctx: AppContext): void {
  // The signature covers the exact bytes Stripe sent, so this route reads the raw body.
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/webhooks/stripe',
      {
        schema: {
          tags: ['payments'],
          summary: 'Stripe webhook (signed); settles pending captures and releases',
          response: { 200: Type.Object({ received: Type.Boolean(), applied: Type.Boolean() }), ...errorResponses(400, 404) },
        },
      },
      async (req) => {
        if (ctx.payments.kind !== 'stripe') {
          throw new HttpError(404, 'webhooks_disabled', 'Stripe webhooks are accepted only with PAYMENTS=stripe.');
        }
        const signature = req.headers['stripe-signature'];
        try {
          const event = ctx.payments.parseWebhook(req.body as Buffer, typeof signature === 'string' ? signature : undefined);
          return await handleProviderEvent(ctx, event);
        } catch (err) {
          // parseWebhook fails only on the signature: missing, or not verifying.
          if (err instanceof PaymentProviderError) {
            throw new HttpError(400, err.code === 'signature_missing' ? 'signature_missing' : 'signature_invalid', err.message);
          }
          throw err;
        }
      },
    );
  });
}
