/**
 * The default payment provider: PaymentIntent-like records in PostgreSQL with Stripe's states,
 * so the whole paid flow runs without an account and tests can assert the provider's state.
 *
 * The legacy client in mock mode has no Stripe.js to confirm a card, so an intent is created
 * already held (`requires_capture`), as the legacy mock mode did for manual capture.
 */
import { randomBytes } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { toJson } from '../db/json.ts';
import type { SimulatedPaymentIntentTable } from '../db/schema.ts';
import { type IntentStatus, type PaymentProvider, PaymentProviderError, type ProviderIntent } from './provider.ts';

type Row = { [K in keyof SimulatedPaymentIntentTable]: unknown } & { id: string };

/**
 * The documented ids of the legacy test data (`pi_test_…`, legacy-backend §6). A made-up `pi_mock_…`
 * is refused: any id accepted without create-intent would be a free paid question.
 */
const LEGACY_TEST_ID = /^pi_test_[A-Za-z0-9_]+$/;
const CANCELLABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action', 'requires_capture'] as const;

function intentOf(row: Row, holdHours: number): ProviderIntent {
  const metadata = typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata;
  return {
    id: row.id,
    status: row.status as ProviderIntent['status'],
    amount: Number(row.amount_cents),
    currency: String(row.currency),
    captureMethod: row.capture_method as ProviderIntent['captureMethod'],
    clientSecret: String(row.client_secret),
    metadata: (metadata ?? {}) as Record<string, string>,
    // As with a card at Stripe: the hold ends a fixed time after it was placed.
    captureBefore: new Date(new Date(row.created_at as Date).getTime() + holdHours * 3600_000),
    cancellationReason: (row.cancellation_reason as string | null) ?? null,
  };
}

export function createSimulatedProvider(db: Db, now: () => Date, holdHours: number): PaymentProvider {
  const toIntent = (row: Row) => intentOf(row, holdHours);
  const find = (id: string) => db.selectFrom('simulated_payment_intent').selectAll().where('id', '=', id).executeTakeFirst();

  async function insert(id: string, amount: number, currency: string, description: string | null, metadata: object) {
    await db
      .insertInto('simulated_payment_intent')
      .values({
        id,
        amount_cents: amount,
        currency: currency.toLowerCase(),
        status: 'requires_capture',
        capture_method: 'manual',
        client_secret: `${id}_secret_${randomBytes(12).toString('hex')}`,
        description,
        metadata: toJson(metadata),
        created_at: now(),
        updated_at: now(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return toIntent((await find(id)) as Row);
  }

  /**
   * Moves an intent from one of `from` to `target` in one conditional update. Repeating a move that
   * already happened returns the intent as it is (Stripe's answer to a retried capture or cancel);
   * any other state is Stripe's payment_intent_unexpected_state.
   */
  async function settle(
    id: string,
    target: 'succeeded' | 'canceled',
    from: readonly IntentStatus[],
    columns: { amount_received?: RawBuilder<number>; cancellation_reason?: string },
    verb: 'captured' | 'canceled',
  ): Promise<ProviderIntent> {
    const done = await db
      .updateTable('simulated_payment_intent')
      .set({ ...columns, status: target, updated_at: now() })
      .where('id', '=', id)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst();
    if (done) return toIntent(done as Row);
    const row = await find(id);
    if (!row) throw new PaymentProviderError(`No such payment intent: ${id}`, 'resource_missing', false);
    if (row.status === target) return toIntent(row as Row);
    throw new PaymentProviderError(
      `This PaymentIntent could not be ${verb} because it has a status of ${row.status}.`,
      'payment_intent_unexpected_state',
      false,
    );
  }

  return {
    kind: 'simulated',
    isMock: true,

    createIntent: (input) =>
      insert(`pi_sim_${randomBytes(12).toString('hex')}`, input.amount, input.currency, input.description, input.metadata),

    async retrieveIntent(id, requested) {
      const row = await find(id);
      if (row) return toIntent(row as Row);
      if (requested && LEGACY_TEST_ID.test(id)) {
        return insert(id, requested.amount, requested.currency, 'legacy test hold', { legacy_test_id: 'true' });
      }
      return null;
    },

    async describeIntent(id, description, metadata) {
      const row = await find(id);
      if (!row) return;
      const merged = { ...toIntent(row as Row).metadata, ...metadata };
      await db
        .updateTable('simulated_payment_intent')
        .set({ description, metadata: toJson(merged), updated_at: now() })
        .where('id', '=', id)
        .execute();
    },

    capture: (id) => settle(id, 'succeeded', ['requires_capture'], { amount_received: sql<number>`amount_cents` }, 'captured'),

    cancel: (id) => settle(id, 'canceled', CANCELLABLE, { cancellation_reason: 'requested_by_customer' }, 'canceled'),

    async expireHold(id) {
      const intent = await settle(id, 'canceled', ['requires_capture'], { cancellation_reason: 'automatic' }, 'canceled');
      return { id: `evt_sim_${randomBytes(8).toString('hex')}`, type: 'payment_intent.canceled', intent, intentId: intent.id };
    },

    parseWebhook() {
      throw new PaymentProviderError('Webhooks are used only with PAYMENTS=stripe.', 'webhooks_disabled', false);
    },
  };
}
