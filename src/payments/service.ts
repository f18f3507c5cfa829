import type { AppContext } from '../context.ts';
import { badRequest, HttpError } from '../errors.ts';
import { resolveExpert } from '../experts/service.ts';
import { type Tier, tierTerms } from '../experts/tiers.ts';
import { PaymentProviderError } from '../payment-provider/provider.ts';

export interface CreateIntentInput {
  amount: number;
  currency: string | null;
  description: string | null;
  metadata: Record<string, unknown>;
  expertHandle: string | null;
  tierType: string | null;
  customerEmail: string | null;
  clientIp: string;
}

const meta = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, 450) : null);

/**
 * POST /api/payments/create-intent: a manual-capture hold for a question about to be asked. The
 * amount is checked against the tier now (Quick Consult = the tier price) and again, against the
 * question, when the question is created.
 */
export async function createPaymentIntent(ctx: AppContext, input: CreateIntentInput) {
  const amount = Math.round(input.amount);
  if (!Number.isFinite(amount) || amount < 50) throw badRequest('amount must be at least 50 cents ($0.50).', 'amount_too_small');
  const currency = (input.currency ?? 'usd').toLowerCase();
  if (currency !== 'usd') throw badRequest('Questions are paid in USD: send currency "usd".', 'unsupported_currency');
  const handle = input.expertHandle ?? meta(input.metadata.expert_handle);
  const tier = input.tierType ?? meta(input.metadata.tier_type);
  if (!handle) throw badRequest('expertHandle is required.', 'expert_handle_required');
  if (tier !== 'quick_consult' && tier !== 'deep_dive') {
    throw badRequest('tierType must be quick_consult or deep_dive.', 'invalid_tier_type');
  }
  const expert = await resolveExpert(ctx, handle, null);
  const terms = tierTerms(expert, tier as Tier, tier === 'deep_dive' ? amount : null);
  if (tier === 'quick_consult' && amount !== terms.priceCents) {
    throw badRequest(`The Quick Consult price is ${terms.priceCents} cents; the amount must match it.`, 'amount_mismatch');
  }
  if (tier === 'deep_dive') {
    const lo = expert.tier2_min_price_cents / 2;
    const hi = expert.tier2_max_price_cents * 2;
    if ((lo > 0 && amount < lo) || (hi > 0 && amount > hi)) {
      ctx.log.info({ expertId: expert.id, amount, lo, hi }, 'deep dive offer far outside the suggested range');
    }
  }
  const metadata: Record<string, string> = {
    expert_handle: handle,
    expert_profile_id: String(expert.id),
    tier_type: tier,
    client_ip: input.clientIp,
    created_at: ctx.now().toISOString(),
  };
  const title = meta(input.metadata.question_title);
  if (title) metadata.question_title = title;
  if (input.customerEmail) metadata.customer_email = input.customerEmail.slice(0, 254);
  try {
    const intent = await ctx.payments.createIntent({ amount, currency, description: input.description?.slice(0, 500) ?? null, metadata });
    return {
      success: true as const,
      clientSecret: intent.clientSecret ?? '',
      paymentIntentId: intent.id,
      amount: intent.amount,
      currency: intent.currency,
      isMock: ctx.payments.isMock,
    };
  } catch (err) {
    if (err instanceof PaymentProviderError) {
      ctx.log.warn({ err }, 'payment intent creation failed');
      throw new HttpError(err.retryable ? 503 : 502, 'payment_provider_error', 'The payment could not be started. Try again.');
    }
    throw err;
  }
}
