import { readdir, readFile, stat } from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { linksIn } from '../mailer/mailer.ts';
import { emlPath } from '../mailer/outbox-mailer.ts';

export interface OutboxFile {
  id: number;
  date: string | null;
  from: string;
  to: string;
  subject: string;
  template: string;
  file: string;
}

export interface OutboxMessage extends OutboxFile {
  text: string;
  html: string;
  links: string[];
}

async function parse(dir: string, id: number): Promise<OutboxMessage> {
  const file = emlPath(dir, id);
  const mail = await simpleParser(await readFile(file));
  const addr = (a: typeof mail.to) => (Array.isArray(a) ? a.map((x) => x.text).join(', ') : (a?.text ?? ''));
  const text = mail.text ?? '';
  return {
    id,
    date: mail.date ? mail.date.toISOString() : null,
    from: addr(mail.from),
    to: addr(mail.to),
    subject: mail.subject ?? '',
    template: String(mail.headers.get('x-quickchat-template') ?? ''),
    file,
    text,
    html: typeof mail.html === 'string' ? mail.html : '',
    links: linksIn(text),
  };
}

/**
 * The messages the outbox Mailer wrote under DATA_DIR/outbox, newest last. Reads files only, so it
 * works while the server holds the embedded database.
 */
export async function listOutboxFiles(dir: string): Promise<OutboxFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const ids = names
    .map((n) => /^(\d+)\.eml$/.exec(n)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const out: OutboxFile[] = [];
  for (const id of ids) {
    const { text: _t, html: _h, links: _l, ...summary } = await parse(dir, id);
    out.push(summary);
  }
  return out;
}

/** One message with its text, HTML and links; null when there is no such file. */
export async function readOutboxMessage(dir: string, id: number): Promise<OutboxMessage | null> {
  try {
    await stat(emlPath(dir, id));
  } catch {
    return null;
  }
  return parse(dir, id);
}
