import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

type Q = Kysely<DB>;

export function findProcessedEvent(db: Q, provider: 'simulated' | 'stripe', eventId: string) {
  return db
    .selectFrom('processed_event')
    .select(['applied', 'processed_at'])
    .where('provider', '=', provider)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
}

/** Records a handled event; a concurrent delivery that recorded it first wins (same outcome). */
export async function recordProcessedEvent(
  db: Q,
  e: { provider: 'simulated' | 'stripe'; eventId: string; type: string; applied: boolean; now: Date },
): Promise<void> {
  await db
    .insertInto('processed_event')
    .values({ provider: e.provider, event_id: e.eventId, type: e.type.slice(0, 100), applied: e.applied, processed_at: e.now })
    .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
    .execute();
}
