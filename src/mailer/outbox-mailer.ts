import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import type { Mailer, OutgoingEmail } from './mailer.ts';
import { linksIn, nodemailerMessage } from './mailer.ts';

/** The file an outbox message is written to: `<dir>/<outbox id>.eml`. */
export const emlPath = (dir: string, id: number) => join(dir, `${id}.eml`);

/**
 * The default Mailer: nothing leaves the machine. Each message becomes a standard .eml file under
 * DATA_DIR/outbox (open it in any mail client, or `quickchat mail show <id>`) and its links are
 * logged, so a developer can click a magic link without any mail account.
 */
export function createOutboxMailer(opts: { dir: string; from: string; log: Logger }): Mailer {
  const composer = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'outbox',
    async send(email: OutgoingEmail) {
      const info = await composer.sendMail(nodemailerMessage(email, opts.from, { 'X-QuickChat-Outbox-Id': String(email.id) }));
      await mkdir(opts.dir, { recursive: true });
      // Write then rename: a reader (the CLI) never sees half a file, and a retry overwrites the same file.
      const file = emlPath(opts.dir, email.id);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, info.message as Buffer);
      await rename(tmp, file);
      opts.log.info(
        { outboxId: email.id, to: email.to, subject: email.subject, links: linksIn(email.text), file },
        'e-mail written to the outbox',
      );
      return { messageId: info.messageId };
    },
    async close() {
      composer.close();
    },
  };
}
