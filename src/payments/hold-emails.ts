/**
 * The hold-deadline e-mails, plain functions like the other domains' templates (src/questions/emails.ts):
 * the asker's when a hold expired unanswered, the expert's a day before it does.
 */
import type { EmailContent } from '../email/outbox.ts';
import { escapeHtml } from '../email/templates.ts';

const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;
const page = (lines: string[], link?: string) =>
  `<!doctype html><html><body style="font-family:sans-serif">${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}${
    link ? `<p><a href="${escapeHtml(link)}">Open your inbox</a></p>` : ''
  }</body></html>`;

/** To the asker: the card hold ran out before an answer; nothing was charged. */
export function holdExpiredEmail(p: { expertName: string; title: string; amountCents: number }): EmailContent {
  const lines = [
    `${p.expertName} did not answer your question "${p.title}" before the hold on your card ran out.`,
    `The hold of ${dollars(p.amountCents)} has ended: you will not be charged. You are welcome to ask again.`,
  ];
  return { subject: 'Your question expired – you were not charged', text: `${lines.join('\n\n')}\n`, html: page(lines) };
}

/** To the expert: answer before `captureBefore`, or the payment is lost. */
export function holdExpiringEmail(p: { expertName: string; title: string; captureBefore: Date; dashboardUrl: string }): EmailContent {
  const lines = [
    `Hi ${p.expertName || 'there'},`,
    `The asker's card hold for "${p.title}" ends on ${p.captureBefore.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    'Answer before then to be paid: after it the question expires and cannot be charged.',
  ];
  return {
    subject: `Answer within 24 hours: ${p.title}`,
    text: `${lines.join('\n\n')}\n\nOpen your inbox: ${p.dashboardUrl}\n`,
    html: page(lines, p.dashboardUrl),
  };
}
