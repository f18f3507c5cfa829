/**
 * The Stripe adapter: manual-capture PaymentIntents through the official SDK. The browser
 * confirms the card with Stripe.js; the server only creates, verifies, captures and cancels.
 */
import Stripe from 'stripe';
import type { PaymentsConfig } from '../config.ts';
import { type PaymentProvider, PaymentProviderError, type ProviderIntent } from './provider.ts';

type StripeConfig = Extract<PaymentsConfig, { provider: 'stripe' }>;

function toIntent(pi: Stripe.PaymentIntent): ProviderIntent {
  return {
    id: pi.id,
    status: pi.status as ProviderIntent['status'],
    amount: pi.amount,
    currency: pi.currency,
    captureMethod: pi.capture_method === 'manual' ? 'manual' : 'automatic',
    clientSecret: pi.client_secret,
    metadata: { ...(pi.metadata ?? {}) },
    captureBefore: captureBeforeOf(pi.latest_charge),
    cancellationReason: pi.cancellation_reason ?? null,
  };
}

/** The card's capture_before (unix seconds), known only when latest_charge is expanded. */
function captureBeforeOf(charge: string | Stripe.Charge | null): Date | null {
  const at = typeof charge === 'object' ? charge?.payment_method_details?.card?.capture_before : null;
  return typeof at === 'number' ? new Date(at * 1000) : null;
}

/** Stripe's own errors mapped to ours: outages are retryable, invalid requests are not. */
function wrap(err: unknown): PaymentProviderError {
  if (err instanceof PaymentProviderError) return err;
  if (err instanceof Stripe.errors.StripeError) {
    const retryable =
      err instanceof Stripe.errors.StripeConnectionError ||
      err instanceof Stripe.errors.StripeAPIError ||
      err instanceof Stripe.errors.StripeRateLimitError ||
      (err.statusCode ?? 0) >= 500 ||
      err.code === 'idempotency_key_in_use' ||
      err.code === 'lock_timeout';
    return new PaymentProviderError(err.message, err.code ?? err.type, retryable);
  }
  return new PaymentProviderError((err as Error)?.message ?? String(err), 'provider_error', true);
}

export function createStripeProvider(config: StripeConfig): PaymentProvider {
  const stripe = new Stripe(config.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    ...(config.apiUrl ? { host: config.apiUrl.host, port: config.apiUrl.port, protocol: config.apiUrl.protocol } : {}),
  });

  async function retrieve(id: string): Promise<ProviderIntent | null> {
    try {
      return toIntent(await stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] }));
    } catch (err) {
      if (err instanceof Stripe.errors.StripeError && err.code === 'resource_missing') return null;
      throw wrap(err);
    }
  }

  /** A capture or cancel refused because of the intent's state may be one we already reached. */
  async function settle(id: string, call: () => Promise<Stripe.PaymentIntent>, target: ProviderIntent['status']) {
    try {
      return toIntent(await call());
    } catch (err) {
      if (err instanceof Stripe.errors.StripeError && err.code === 'payment_intent_unexpected_state') {
        const now = await retrieve(id);
        if (now?.status === target) return now;
      }
      throw wrap(err);
    }
  }

  return {
    kind: 'stripe',
    isMock: false,

    async createIntent(input) {
      try {
        const pi = await stripe.paymentIntents.create({
          amount: input.amount,
          currency: input.currency,
          capture_method: 'manual',
          automatic_payment_methods: { enabled: true },
          ...(input.description ? { description: input.description } : {}),
          metadata: input.metadata,
        });
        return toIntent(pi);
      } catch (err) {
        throw wrap(err);
      }
    },

    retrieveIntent: (id) => retrieve(id),

    async describeIntent(id, description, metadata) {
      try {
        await stripe.paymentIntents.update(id, { description, metadata });
      } catch (err) {
        throw wrap(err);
      }
    },

    capture: (id, idempotencyKey) => settle(id, () => stripe.paymentIntents.capture(id, {}, { idempotencyKey }), 'succeeded'),

    cancel: (id, idempotencyKey) =>
      settle(id, () => stripe.paymentIntents.cancel(id, { cancellation_reason: 'requested_by_customer' }, { idempotencyKey }), 'canceled'),

    expireHold() {
      // Stripe ends holds itself and says so by webhook: nothing to simulate.
      return Promise.reject(
        new PaymentProviderError('Hold expiry is simulated only with PAYMENTS=simulated.', 'simulation_disabled', false),
      );
    },

    parseWebhook(rawBody, signature) {
      if (!signature) throw new PaymentProviderError('The Stripe-Signature header is missing.', 'signature_missing', false);
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signature, config.webhookSecret);
      } catch (err) {
        throw new PaymentProviderError(`Invalid webhook signature: ${(err as Error).message}`, 'signature_invalid', false);
      }
      const object = event.data.object as { object?: string; id?: string; payment_intent?: string | { id: string } | null };
      const intent = object.object === 'payment_intent' ? toIntent(object as Stripe.PaymentIntent) : null;
      // A charge event (charge.expired) names its intent, as an id or expanded.
      const pi = object.object === 'charge' ? object.payment_intent : null;
      const intentId = intent?.id ?? (typeof pi === 'string' ? pi : (pi?.id ?? null));
      return { id: event.id, type: event.type, intent, intentId };
    },
  };
}
