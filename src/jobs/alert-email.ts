import type { EmailContent } from '../email/outbox.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** E-mail 9: a background job failed, or half or more of its items did. */
export function jobAlertEmail(p: { job: string; problem: string; runId: number; at: Date }): EmailContent {
  const when = p.at.toISOString();
  const text = `The background job "${p.job}" needs attention (run ${p.runId}, ${when}):\n\n${p.problem}\n\nSee \`quickchat jobs list\` and the server logs for details.`;
  return {
    subject: `[QuickChat] Job ${p.job} failed`,
    text,
    html: `<p>The background job <strong>${esc(p.job)}</strong> needs attention (run ${p.runId}, ${esc(when)}):</p><pre>${esc(p.problem)}</pre><p>See <code>quickchat jobs list</code> and the server logs for details.</p>`,
  };
}
