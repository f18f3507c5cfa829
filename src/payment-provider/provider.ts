/**
 * The payment seam. Both tiers place a manual-capture hold before the question exists; the hold
 * is captured when the answer is sent and cancelled on every other ending. Adapters: `simulated`
 * (records in PostgreSQL with Stripe's states) and `stripe` (the Stripe API).
 */

/** Stripe's PaymentIntent states; also the values of the simulated adapter's `status` column. */
export type IntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'succeeded'
  | 'canceled';

/** A PaymentIntent as the domain sees it, whatever the provider. */
export interface ProviderIntent {
  id: string;
  status: IntentStatus;
  /** Cents. */
  amount: number;
  /** Lower-case ISO code, e.g. `usd`. */
  currency: string;
  captureMethod: 'manual' | 'automatic';
  clientSecret: string | null;
  metadata: Record<string, string>;
  /** When the provider ends the card hold on its own (Stripe: the charge's capture_before); null = unknown. */
  captureBefore: Date | null;
  /** Why a canceled intent was canceled; `automatic` = the hold expired at the provider. */
  cancellationReason: string | null;
}

interface CreateIntentInput {
  amount: number;
  currency: string;
  description: string | null;
  metadata: Record<string, string>;
}

/** What a verified webhook says happened to an intent. */
export interface ProviderEvent {
  id: string;
  type: string;
  intent: ProviderIntent | null;
  /** The intent an event is about: the intent's own id, or a charge's payment_intent (charge.expired). */
  intentId: string | null;
}

export interface PaymentProvider {
  readonly kind: 'simulated' | 'stripe';
  /**
   * True when the browser must not run Stripe.js for these intents: the legacy client then shows
   * its "test mode" submit button and sends the intent id as is (create-intent's `isMock`).
   */
  readonly isMock: boolean;
  createIntent(input: CreateIntentInput): Promise<ProviderIntent>;
  /**
   * The intent, or null when the provider does not know it. `requested` is the amount the caller
   * expects: the simulated provider accepts the documented legacy test ids (`pi_test_…`) as holds
   * of exactly that amount, as the legacy test data and mock mode did.
   */
  retrieveIntent(id: string, requested?: { amount: number; currency: string }): Promise<ProviderIntent | null>;
  /** Description and metadata (question id, tier) for the provider's dashboard. */
  describeIntent(id: string, description: string, metadata: Record<string, string>): Promise<void>;
  /** Captures a held intent. Idempotent: an already captured intent is returned as it is. */
  capture(id: string, idempotencyKey: string): Promise<ProviderIntent>;
  /** Releases a hold. Idempotent: an already cancelled intent is returned as it is. */
  cancel(id: string, idempotencyKey: string): Promise<ProviderIntent>;
  /**
   * Simulated only: the hold of `id` expires now (canceled, reason `automatic`), as the provider
   * would do after the hold period; returns the event the provider would send. Stripe throws.
   */
  expireHold(id: string): Promise<ProviderEvent>;
  /** Verifies a webhook's signature and reads it; throws PaymentProviderError when invalid. */
  parseWebhook(rawBody: Buffer, signature: string | undefined): ProviderEvent;
}

/**
 * A provider call that failed. `retryable` = a network or provider outage (try again later);
 * otherwise the intent is in a state that forbids the call (e.g. capturing a cancelled hold).
 */
export class PaymentProviderError extends Error {
  readonly retryable: boolean;
  readonly code: string;
  constructor(message: string, code: string, retryable: boolean) {
    super(message);
    this.code = code;
    this.retryable = retryable;
  }
}
