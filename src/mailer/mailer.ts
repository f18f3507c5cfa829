import type { Config } from '../config.ts';

/** One message of the email_outbox table, as a Mailer delivers it. */
export interface OutgoingEmail {
  /** The outbox row id: it names the .eml file and makes the Message-ID stable across retries. */
  id: number;
  template: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  readonly kind: Config['mail']['kind'];
  /** Resolves with the provider's message id; throws PermanentMailError when retrying cannot help. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
  close(): Promise<void>;
}

/** A rejection that will not change on retry (e.g. SMTP 5xx: unknown mailbox, policy refusal). */
export class PermanentMailError extends Error {}

/** The domain of the From address, for Message-IDs. */
function senderDomain(from: string): string {
  const m = /@([^>\s]+)>?\s*$/.exec(from);
  return m?.[1] ?? 'localhost';
}

/** Stable per outbox row, so a receiving server can recognise a duplicate of the same message. */
const messageIdFor = (id: number, from: string) => `<outbox-${id}@${senderDomain(from)}>`;

/** Every http(s) link in a text part (the outbox adapter logs them so a developer can click). */
export function linksIn(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"']+/g)].map((m) => m[0]);
}

/**
 * The message every adapter hands to nodemailer: the same headers and a Message-ID stable per
 * outbox row, so the .eml a developer reads is what the relay would have been sent.
 */
export function nodemailerMessage(email: OutgoingEmail, from: string, headers: Record<string, string> = {}) {
  return {
    from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: messageIdFor(email.id, from),
    headers: { 'X-QuickChat-Template': email.template, ...headers },
  };
}
