import type { EmailContent } from '../email/outbox.ts';

export interface DigestQuestion {
  id: number;
  title: string;
  payer: string | null;
  priceCents: number;
  /** Milliseconds until the SLA deadline (negative = overdue); null = no deadline. */
  remainingMs: number | null;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

function timeLeft(ms: number | null): string {
  if (ms === null) return 'no deadline';
  if (ms <= 0) return 'overdue';
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  return h >= 1 ? `${h} h ${m} min left` : `${m} min left`;
}

/** E-mail 7: the daily digest of an expert's pending questions. */
export function dailyDigestEmail(p: { name: string; questions: DigestQuestion[]; urgentMs: number; inboxUrl: string }): EmailContent {
  const urgent = p.questions.filter((q) => q.remainingMs !== null && q.remainingMs >= 0 && q.remainingMs < p.urgentMs).length;
  const total = p.questions.reduce((s, q) => s + q.priceCents, 0);
  const n = p.questions.length;
  const subject = `${n} pending question${n === 1 ? '' : 's'}${urgent ? ` (${urgent} urgent)` : ''} waiting for your answer`;
  const lines = p.questions.map((q) => `- ${q.title} — ${q.payer ?? 'an asker'}, ${dollars(q.priceCents)}, ${timeLeft(q.remainingMs)}`);
  const text = [
    `Hi ${p.name || 'there'},`,
    '',
    `You have ${n} pending question${n === 1 ? '' : 's'} worth ${dollars(total)}${urgent ? `, ${urgent} due within 2 hours` : ''}:`,
    ...lines,
    '',
    `Answer them here: ${p.inboxUrl}`,
  ].join('\n');
  const html = `<p>Hi ${esc(p.name || 'there')},</p><p>You have <strong>${n}</strong> pending question${n === 1 ? '' : 's'} worth ${dollars(total)}${
    urgent ? `, <strong>${urgent} due within 2 hours</strong>` : ''
  }:</p><ul>${p.questions
    .map((q) => `<li>${esc(q.title)} — ${esc(q.payer ?? 'an asker')}, ${dollars(q.priceCents)}, ${esc(timeLeft(q.remainingMs))}</li>`)
    .join('')}</ul><p><a href="${esc(p.inboxUrl)}">Open your inbox</a></p>`;
  return { subject, text, html };
}
