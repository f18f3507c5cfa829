import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Mailer } from './mailer.ts';
import { createOutboxMailer } from './outbox-mailer.ts';
import { createSmtpMailer } from './smtp-mailer.ts';

/** The adapter MAIL names; createContext calls it once at start-up. */
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
