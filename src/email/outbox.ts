import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../job-queue/queue.ts';

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

/** The job key of an outbox message's delivery: one job per message, however often it is sent. */
export function emailJobKey(outboxId: number): string {
  return `email:${outboxId}`;
}

/** Queues the delivery jobs of outbox messages, in the caller's transaction. */
export async function sendDeliveryJobs(jobs: JobQueue, trx: Kysely<DB>, outboxIds: number[]): Promise<void> {
  await jobs.sendMany(
    trx,
    'email-deliver',
    outboxIds.map((id) => ({ payload: { outboxId: id }, key: emailJobKey(id) })),
  );
}

function outboxRow(email: QueuedEmail, now: Date) {
  return {
    template: email.template,
    to_address: email.to,
    subject: email.subject,
    text_body: email.text,
    html_body: email.html,
    dedupe_key: email.dedupeKey ?? null,
    created_at: now,
  };
}

/**
 * Queues an e-mail inside the caller's transaction: the outbox row (the message's record, which the
 * admin console and erasure read) and its email-deliver job commit together, and a worker sends it
 * after commit. Returns the outbox id, or null when a message with the same dedupe key was already queued.
 */
export async function queueEmail(jobs: JobQueue, trx: Kysely<DB>, email: QueuedEmail, now: Date): Promise<number | null> {
  const ids = await insertEmails(jobs, trx, [email], now);
  return ids[0] ?? null;
}

/** Many e-mails in one multi-row insert, with their delivery jobs; returns how many were new. */
export async function queueEmails(
  jobs: JobQueue,
  trx: Kysely<DB>,
  mails: (QueuedEmail & { dedupeKey: string })[],
  now: Date,
): Promise<number> {
  return (await insertEmails(jobs, trx, mails, now)).length;
}

async function insertEmails(jobs: JobQueue, trx: Kysely<DB>, mails: QueuedEmail[], now: Date): Promise<number[]> {
  if (!mails.length) return [];
  const rows = await trx
    .insertInto('email_outbox')
    .values(mails.map((m) => outboxRow(m, now)))
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .execute();
  const ids = rows.map((r) => r.id);
  await sendDeliveryJobs(jobs, trx, ids);
  return ids;
}
