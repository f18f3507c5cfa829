/**
 * E-mails 3, 4 and 5 of the spec (§7), as plain functions returning subject, text and HTML.
 * Every interpolated value is escaped in the HTML part.
 */
import type { EmailContent } from '../email/outbox.ts';

const esc = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
const dollars = (cents: number) => `$${(cents / 100).toFixed(cents % 100 === 0 ? 0 : 2)}`;
const tierName = (tier: string) => (tier === 'deep_dive' ? 'Deep Dive' : 'Quick Consult');

function html(paragraphs: string[], link?: { url: string; label: string }): string {
  const body = paragraphs.map((p) => `<p>${esc(p)}</p>`).join('');
  const button = link ? `<p><a href="${esc(link.url)}">${esc(link.label)}</a></p>` : '';
  return `<!doctype html><html><body style="font-family:sans-serif">${body}${button}</body></html>`;
}

/** 3 — to the expert, for every new question, auto-declined ones included. */
export function newQuestionEmail(p: {
  expertName: string;
  title: string;
  tier: string;
  priceCents: number;
  payerName: string;
  autoDeclined: boolean;
  dashboardUrl: string;
}): EmailContent {
  const lines = [
    `Hi ${p.expertName || 'there'},`,
    `${p.payerName} sent you a ${tierName(p.tier)} question: "${p.title}" (${dollars(p.priceCents)}).`,
    p.autoDeclined
      ? 'The offer was below your minimum for Deep Dives, so it was declined automatically and the payment hold was released.'
      : p.tier === 'deep_dive'
        ? 'Accept or decline the offer within 24 hours; the payment is held until then.'
        : 'The payment is held and is charged when you send your answer.',
  ];
  return {
    subject: `New paid question: ${p.title}`,
    text: `${lines.join('\n\n')}\n\nOpen your inbox: ${p.dashboardUrl}\n`,
    html: html(lines, { url: p.dashboardUrl, label: 'Open your inbox' }),
  };
}

/** 4 — to the asker, with the private review link. */
export function questionSubmittedEmail(p: {
  expertName: string;
  title: string;
  tier: string;
  reviewUrl: string;
  autoDeclined: boolean;
}): EmailContent {
  const lines = [
    `Your ${tierName(p.tier)} question "${p.title}" was sent to ${p.expertName}.`,
    p.autoDeclined
      ? 'The offer was below the expert’s minimum, so it was declined and your card hold was released: you will not be charged.'
      : 'Your card is only held: you are charged when the answer arrives, and the hold is released otherwise.',
    'Keep this link private: it is the only way to see the answer.',
  ];
  return {
    subject: `Question submitted to ${p.expertName}`,
    text: `${lines.join('\n\n')}\n\n${p.reviewUrl}\n`,
    html: html(lines, { url: p.reviewUrl, label: 'Follow your question' }),
  };
}

/** 5 — to the asker, when the answer is sent. */
export function answeredEmail(p: { expertName: string; title: string; reviewUrl: string }): EmailContent {
  const lines = [`${p.expertName} answered your question "${p.title}".`, 'Watch the answer and rate it with your private link.'];
  return {
    subject: `${p.expertName} answered your question`,
    text: `${lines.join('\n\n')}\n\n${p.reviewUrl}\n`,
    html: html(lines, { url: p.reviewUrl, label: 'See the answer' }),
  };
}
