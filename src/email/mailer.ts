import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { createOutboxMailer } from './outbox-mailer.ts';
import { createSmtpMailer } from './smtp-mailer.ts';

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
export function senderDomain(from: string): string {
  const m = /@([^>\s]+)>?\s*$/.exec(from);
  return m?.[1] ?? 'localhost';
}

/** Stable per outbox row, so a receiving server can recognise a duplicate of the same message. */
export const messageIdFor = (id: number, from: string) => `<outbox-${id}@${senderDomain(from)}>`;

export function createMailer(config: Config, log: Logger): Mailer {
  const kind = config.mail.kind;
  switch (kind) {
    case 'outbox':
      return createOutboxMailer({ dir: `${config.dataDir}/outbox`, from: config.mail.from, log });
    case 'smtp': {
      if (!config.mail.smtp) throw new Error('MAIL=smtp needs SMTP_HOST');
      return createSmtpMailer({ ...config.mail.smtp, from: config.mail.from });
    }
    default: {
      const never: never = kind;
      throw new Error(`Unknown MAIL adapter ${String(never)}`);
    }
  }
}
