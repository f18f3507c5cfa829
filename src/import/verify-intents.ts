/**
 * `import verify` with Stripe configured: every imported hold (a payment still `authorized` or
 * `accepted`) is looked up live, and must be an intent Stripe holds for the same amount and
 * currency — a hold that Stripe already captured, released or let expire would otherwise be
 * captured or released by us at the wrong time, or not at all.
 */
import type { Db } from '../db/index.ts';
import type { PaymentProvider } from '../payment-provider/provider.ts';

export interface IntentCheck {
  /** Why nothing was checked (no live provider), or null. */
  skipped: string | null;
  checked: number;
  notFound: number;
  wrongState: number;
  wrongAmount: number;
  /** Lookups that failed (network, auth): the intent's state is unknown. */
  errors: number;
  /** A few `payment <id> (<intent>): <what>` lines, to look at. */
  examples: string[];
  ok: boolean;
}

const PAGE = 200;

export async function checkHeldIntents(
  db: Db,
  payments: PaymentProvider | undefined,
  opts: { concurrency?: number; onProgress?: (checked: number) => void } = {},
): Promise<IntentCheck> {
  const c: IntentCheck = { skipped: null, checked: 0, notFound: 0, wrongState: 0, wrongAmount: 0, errors: 0, examples: [], ok: true };
  if (payments?.kind !== 'stripe') return { ...c, skipped: 'PAYMENTS is not stripe: no live intents to compare' };
  const note = (p: { id: number; stripe_payment_intent_id: string }, what: string) => {
    if (c.examples.length < 5) c.examples.push(`payment ${p.id} (${p.stripe_payment_intent_id}): ${what}`);
  };
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('payment')
      .select(['id', 'stripe_payment_intent_id', 'amount_cents', 'currency'])
      .where('status', 'in', ['authorized', 'accepted'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (!page.length) break;
    after = Number(page[page.length - 1]?.id);
    let next = 0;
    const worker = async () => {
      for (let p = page[next++]; p; p = page[next++]) {
        c.checked++;
        try {
          const intent = await payments.retrieveIntent(p.stripe_payment_intent_id);
          if (!intent) {
            c.notFound++;
            note(p, 'Stripe does not know this intent');
          } else if (intent.status !== 'requires_capture') {
            c.wrongState++;
            note(p, `held here, ${intent.status} at Stripe`);
          } else if (intent.amount !== p.amount_cents || intent.currency !== p.currency.toLowerCase()) {
            c.wrongAmount++;
            note(p, `${p.amount_cents} ${p.currency} here, ${intent.amount} ${intent.currency} at Stripe`);
          }
        } catch (err) {
          c.errors++;
          note(p, `lookup failed: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    opts.onProgress?.(c.checked);
  }
  c.ok = c.notFound + c.wrongState + c.wrongAmount + c.errors === 0;
  return c;
}
