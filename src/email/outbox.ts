import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** A rendered e-mail: templates are plain functions returning this. */
export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

export interface QueuedEmail extends EmailContent {
  template: string;
  to: string;
  /** Same key twice = one message (e.g. `digest:<expert>:<day>`, `answer:<question>`). */
  dedupeKey?: string;
}

/**
 * Queues an e-mail inside the caller's transaction; the outbox worker delivers it after commit.
 * Returns the outbox id, or null when a message with the same dedupe key was already queued.
 */
export async function queueEmail(trx: Kysely<DB>, email: QueuedEmail, now: Date): Promise<number | null> {
  const row = await trx
    .insertInto('email_outbox')
    .values({
      template: email.template,
      to_address: email.to,
      subject: email.subject,
      text_body: email.text,
      html_body: email.html,
      dedupe_key: email.dedupeKey ?? null,
      created_at: now,
      next_attempt_at: now,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}
