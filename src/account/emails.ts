/**
 * The erasure e-mails: 8 (account deleted), the asker's notice when an expert's account goes, the
 * one-time codes and the asker's confirmation. None carries another person's name or e-mail: an
 * e-mail row outlives the erasure it reports until it is delivered.
 */
import type { EmailContent } from '../email/outbox.ts';

const esc = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
const day = (d: Date) => d.toISOString().slice(0, 10);

function content(subject: string, lines: string[]): EmailContent {
  const html = `<!doctype html><html><body style="font-family:sans-serif">${lines.map((l) => `<p>${esc(l)}</p>`).join('')}</body></html>`;
  return { subject, text: `${lines.join('\n\n')}\n`, html };
}

/** E-mail 8: the confirmation, queued in the erasure transaction before the address is dropped. */
export function accountDeletedEmail(p: { deletionId: string; counts: Record<string, number>; retainUntil: Date | null }): EmailContent {
  const lines = [
    'Your QuickChat account was deleted.',
    'Your profile, the questions you received, your answers, recordings and files, campaigns, sign-in links and sessions were erased. Stored files are removed from storage within the hour.',
    p.retainUntil && (p.counts.payment_pseudonymised ?? 0) > 0
      ? `Payment records are kept for accounting, without your name or e-mail, until ${day(p.retainUntil)}, then deleted.`
      : 'No payment records were kept.',
    (p.counts.payment_hold_released ?? 0) > 0
      ? `${p.counts.payment_hold_released} unanswered paid questions were released: their askers were not charged and were told.`
      : '',
    `Deletion reference: ${p.deletionId}. Keep it if you contact support about this deletion.`,
  ].filter(Boolean);
  return content('Your QuickChat account was deleted', lines);
}

/** To an asker whose question was removed because the expert deleted their account. */
export function expertGoneEmail(p: { title: string; released: boolean }): EmailContent {
  const lines = [
    `The expert you asked "${p.title}" has closed their QuickChat account, so your question and its answer page were removed.`,
    p.released
      ? 'Your question had not been answered: the payment hold was released and you will not be charged.'
      : 'Your question had been answered; the answer is no longer available online.',
  ];
  return content('Your question on QuickChat was removed', lines);
}

/** The one-time code that confirms an account deletion or an asker's erasure request. */
export function erasureCodeEmail(p: { code: string; minutes: number; purpose: 'delete_account' | 'asker_erasure' }): EmailContent {
  const what =
    p.purpose === 'delete_account'
      ? 'delete your QuickChat account'
      : 'erase the questions you asked on QuickChat with this address (your e-mail, names, texts, files and recordings)';
  return content('Your QuickChat confirmation code', [
    `Enter this code to ${what}: ${p.code}`,
    `It works once and expires in ${p.minutes} minutes.`,
    'If you did not ask for this, ignore this e-mail: nothing happens without the code.',
  ]);
}

/** To an asker once their data is erased (queued before their address is replaced). */
export function askerErasedEmail(p: { deletionId: string; questions: number }): EmailContent {
  return content('Your data on QuickChat was erased', [
    `We erased the personal data of the ${p.questions} question(s) you asked with this address: e-mail, names, texts, files and recordings.`,
    'Unanswered questions were closed and their payment holds released. The experts keep only an anonymous record of the payments for accounting.',
    `Erasure reference: ${p.deletionId}.`,
  ]);
}
