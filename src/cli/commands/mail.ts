import { join } from 'node:path';
import { listOutboxFiles, readOutboxMessage } from '../../email/eml.ts';
import { type Command, UsageError } from '../command.ts';

export const mailList: Command = {
  name: 'mail list',
  summary:
    'List the e-mails the outbox mailer (MAIL=outbox, the default) wrote under DATA_DIR/outbox, oldest first. ' +
    'Reads the .eml files only, so it also works while the server runs.',
  json: true,
  async run({ config, values, out }) {
    const dir = join(config().dataDir, 'outbox');
    const messages = await listOutboxFiles(dir);
    if (values.json) {
      out(JSON.stringify({ messages }, null, 2));
      return 0;
    }
    if (!messages.length) {
      out(`No e-mails in ${dir}.`);
      return 0;
    }
    for (const m of messages) out(`${String(m.id).padStart(5)}  ${m.date ?? '-'}  ${m.template.padEnd(12)} ${m.to}  ${m.subject}`);
    out(`${messages.length} e-mails in ${dir}; read one with: quickchat mail show <id>`);
    return 0;
  },
};

export const mailShow: Command = {
  name: 'mail show',
  summary: 'Show one e-mail of the outbox (DATA_DIR/outbox/<id>.eml): headers, links and text.',
  args: '<id>',
  json: true,
  options: { html: { type: 'boolean' } },
  optionHelp: ['--html              print the HTML part instead of the text part'],
  async run({ config, values, positionals, out }) {
    const raw = positionals[0];
    if (!raw || !/^\d+$/.test(raw) || positionals.length > 1) throw new UsageError('Give one message id, e.g. quickchat mail show 12');
    const dir = join(config().dataDir, 'outbox');
    const m = await readOutboxMessage(dir, Number(raw));
    if (!m) throw new UsageError(`No e-mail ${raw} in ${dir} (see: quickchat mail list)`);
    if (values.json) {
      out(JSON.stringify(m, null, 2));
      return 0;
    }
    out(`Id:       ${m.id}`);
    out(`Date:     ${m.date ?? '-'}`);
    out(`From:     ${m.from}`);
    out(`To:       ${m.to}`);
    out(`Subject:  ${m.subject}`);
    out(`Template: ${m.template}`);
    out(`File:     ${m.file}`);
    if (m.links.length) out(`Links:\n${m.links.map((l) => `  ${l}`).join('\n')}`);
    out('');
    out(values.html ? m.html : m.text);
    return 0;
  },
};
