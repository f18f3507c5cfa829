import { createTransport } from 'nodemailer';
import type { Mailer, OutgoingEmail } from './mailer.ts';
import { nodemailerMessage, PermanentMailError } from './mailer.ts';

export interface SmtpOptions {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  pass: string | null;
  from: string;
}

/** Any SMTP relay (ZeptoMail, SES, Postmark, a local Postfix…) through nodemailer. */
export function createSmtpMailer(opts: SmtpOptions): Mailer {
  const transport = createTransport({
    host: opts.host,
    port: opts.port,
    secure: opts.secure,
    ...(opts.user ? { auth: { user: opts.user, pass: opts.pass ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    kind: 'smtp',
    async send(email: OutgoingEmail) {
      try {
        const info = await transport.sendMail(nodemailerMessage(email, opts.from));
        return { messageId: info.messageId };
      } catch (err) {
        // 5xx replies are final (no such mailbox, rejected by policy); 4xx and network errors are retried.
        const code = (err as { responseCode?: number }).responseCode;
        if (typeof code === 'number' && code >= 500 && code < 600) {
          throw new PermanentMailError(`SMTP ${code}: ${(err as Error).message}`);
        }
        throw err;
      }
    },
    async close() {
      transport.close();
    },
  };
}
