import type { AppContext } from '../context.ts';
import { HttpError, unprocessable } from '../errors.ts';
import { PaymentProviderError, type ProviderIntent } from '../payment-provider/provider.ts';

/**
 * The hold behind a new question must exist at the provider, be authorized and not captured
 * (`requires_capture`, manual capture) and be for exactly the question's amount and currency.
 * Whether it was used before is decided by the unique index on payment.stripe_payment_intent_id.
 */
export async function verifyHold(
  ctx: AppContext,
  intentId: string,
  expected: { amount: number; currency: string },
): Promise<ProviderIntent> {
  let intent: ProviderIntent | null;
  try {
    intent = await ctx.payments.retrieveIntent(intentId, expected);
  } catch (err) {
    if (err instanceof PaymentProviderError && !err.retryable) intent = null;
    else
      throw new HttpError(
        503,
        'payment_provider_unavailable',
        'The payment provider did not answer. Try again in a minute; your card was not charged.',
      );
  }
  if (!intent) {
    throw unprocessable('This payment was not found. Start the payment again from the question form.', 'payment_intent_not_found');
  }
  if (intent.captureMethod !== 'manual') {
    throw unprocessable('This payment was not created as a hold (manual capture). Start the payment again.', 'payment_not_a_hold');
  }
  if (intent.status !== 'requires_capture') {
    const what =
      intent.status === 'succeeded'
        ? 'was already charged'
        : intent.status === 'canceled'
          ? 'was cancelled'
          : `is not authorized yet (status ${intent.status}): complete the card step first`;
    throw unprocessable(`This payment ${what}.`, 'payment_not_authorized');
  }
  if (intent.amount !== expected.amount || intent.currency.toLowerCase() !== expected.currency.toLowerCase()) {
    throw unprocessable(
      `This payment holds ${intent.amount} ${intent.currency.toUpperCase()} cents but the question costs ${expected.amount} ${expected.currency.toUpperCase()} cents. Start the payment again with the right amount.`,
      'payment_amount_mismatch',
    );
  }
  return intent;
}
