import type { EmailContent } from '../email/outbox.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/** E-mail 6: the offer was not accepted in time, or the SLA passed unanswered — the hold is released. */
export function expiredEmail(p: {
  kind: 'offer' | 'sla';
  expertName: string;
  title: string;
  amountCents: number;
  reviewUrl: string | null;
}): EmailContent {
  const why =
    p.kind === 'offer'
      ? `${p.expertName} did not accept your Deep Dive offer "${p.title}" within 24 hours.`
      : `${p.expertName} did not answer your question "${p.title}" within the promised time.`;
  const lines = [why, `The hold of ${dollars(p.amountCents)} on your card has been released: you will not be charged.`];
  if (p.reviewUrl) lines.push(`Your question: ${p.reviewUrl}`);
  return {
    subject: p.kind === 'offer' ? 'Offer expired – full refund' : 'No answer in time – full refund',
    text: `${lines.join('\n\n')}\n`,
    html: `<!doctype html><html><body style="font-family:sans-serif">${lines
      .map((l, i) => (i === 2 && p.reviewUrl ? `<p><a href="${esc(p.reviewUrl)}">Your question</a></p>` : `<p>${esc(l)}</p>`))
      .join('')}</body></html>`,
  };
}
