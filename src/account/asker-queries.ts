/** The asker-only SQL of the erasure on account's own tables (the scrubs of the rows that stay are their owners'). */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

type Q = Kysely<DB>;

export async function hasAccount(trx: Q, email: string): Promise<boolean> {
  const r = await trx.selectFrom('user').select('id').where(sql<string>`lower(email)`, '=', email).executeTakeFirst();
  return Boolean(r);
}

export async function deleteAskerCodes(trx: Q, email: string) {
  const r = await trx.deleteFrom('privacy_code').where('purpose', '=', 'asker_erasure').where('email', '=', email).executeTakeFirst();
  return Number(r.numDeletedRows);
}
