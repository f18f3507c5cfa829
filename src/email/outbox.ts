import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';

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
 * Queues an e-mail inside the caller's transaction: the outbox row (the message's record, which the
 * admin console and erasure read) and its email-deliver job commit together, and a worker sends it
 * after commit. Returns the outbox id, or null when a message with the same dedupe key was already queued.
 */
export async function queueEmail(jobs: JobQueue, trx: Kysely<DB>, email: QueuedEmail, now: Date): Promise<number | null> {
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
  if (!row) return null;
  await jobs.send(trx, 'email-deliver', { outboxId: row.id }, { key: `email:${row.id}` });
  return row.id;
}

/** Many e-mails in one multi-row insert, with their delivery jobs; returns how many were new. */
export async function queueEmails(
  jobs: JobQueue,
  trx: Kysely<DB>,
  mails: (QueuedEmail & { dedupeKey: string })[],
  now: Date,
): Promise<number> {
  if (!mails.length) return 0;
  const rows = await trx
    .insertInto('email_outbox')
    .values(
      mails.map((m) => ({
        template: m.template,
        to_address: m.to,
        subject: m.subject,
        text_body: m.text,
        html_body: m.html,
        dedupe_key: m.dedupeKey,
        created_at: now,
        next_attempt_at: now,
      })),
    )
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .execute();
  await jobs.sendMany(
    trx,
    'email-deliver',
    rows.map((r) => ({ payload: { outboxId: r.id }, key: `email:${r.id}` })),
  );
  return rows.length;
}
