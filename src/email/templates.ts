import type { EmailContent } from './outbox.ts';

/**
 * E-mail templates: plain functions from data to subject, text and HTML. The text part carries
 * every link in full (some clients and the outbox log read only the text part).
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

function layout(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="margin:0;padding:24px;background:#f6f7f9;font-family:Helvetica,Arial,sans-serif;color:#1f2933">',
    '<div style="max-width:520px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">',
    body,
    '<p style="margin-top:32px;font-size:12px;color:#7b8794">QuickChat (mindPick)</p>',
    '</div></body></html>',
  ].join('\n');
}

const button = (href: string, label: string) =>
  `<p style="margin:24px 0"><a href="${escapeHtml(href)}" style="background:#4f46e5;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(label)}</a></p>`;

/** E-mail 1: the sign-in link and the 6-digit code (either one signs in, once, for `minutes`). */
export function magicLinkEmail(input: { link: string; code: string; minutes: number }): EmailContent {
  const { link, code, minutes } = input;
  // No code in the subject: subjects show in previews and stay in the outbox table after delivery.
  const subject = 'Your QuickChat sign-in link';
  const text = [
    'Sign in to QuickChat',
    '',
    'Open this link to sign in:',
    link,
    '',
    `Or enter this code: ${code}`,
    '',
    `The link and the code work once and expire in ${minutes} minutes.`,
    'If you did not ask to sign in, ignore this e-mail: nobody can sign in without it.',
  ].join('\n');
  const html = layout(
    subject,
    [
      '<h1 style="font-size:22px;margin:0 0 16px">Sign in to QuickChat</h1>',
      '<p>Click the button to sign in:</p>',
      button(link, 'Sign in'),
      `<p>Or enter this code: <strong style="font-size:20px;letter-spacing:4px">${escapeHtml(code)}</strong></p>`,
      `<p style="color:#52606d">The link and the code work once and expire in ${minutes} minutes. If you did not ask to sign in, ignore this e-mail.</p>`,
      `<p style="font-size:12px;color:#7b8794;word-break:break-all">${escapeHtml(link)}</p>`,
    ].join('\n'),
  );
  return { subject, text, html };
}

/** E-mail 2: sent once, on the first sign-in of a new account (magic link, Google or LinkedIn). */
export function welcomeEmail(input: { name: string; dashboardUrl: string }): EmailContent {
  const greeting = input.name.trim() ? `Welcome to QuickChat, ${input.name.trim()}!` : 'Welcome to QuickChat!';
  const subject = 'Welcome to QuickChat';
  const text = [
    greeting,
    '',
    'Your account is ready. Set up your expert profile, choose your handle and prices, and share your page:',
    input.dashboardUrl,
    '',
    'Askers pay when they ask; you are paid when you answer.',
  ].join('\n');
  const html = layout(
    subject,
    [
      `<h1 style="font-size:22px;margin:0 0 16px">${escapeHtml(greeting)}</h1>`,
      '<p>Your account is ready. Set up your expert profile, choose your handle and prices, and share your page.</p>',
      button(input.dashboardUrl, 'Open your dashboard'),
      '<p style="color:#52606d">Askers pay when they ask; you are paid when you answer.</p>',
    ].join('\n'),
  );
  return { subject, text, html };
}
