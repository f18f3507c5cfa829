/** The public profile link with UTM parameters, as experts share it. */
export function campaignUrl(
  clientOrigin: string,
  handle: string | null,
  utm: { utm_source: string; utm_campaign: string; utm_medium?: string | null; utm_content?: string | null },
): string {
  const params = new URLSearchParams({ utm_source: utm.utm_source, utm_campaign: utm.utm_campaign });
  if (utm.utm_medium) params.set('utm_medium', utm.utm_medium);
  if (utm.utm_content) params.set('utm_content', utm.utm_content);
  return `${clientOrigin}/u/${encodeURIComponent(handle ?? '')}?${params.toString()}`;
}

export interface ShareTemplate {
  id: string;
  platform: string;
  title: string;
  text: string;
  url: string;
}

const PLATFORMS = [
  { id: 'linkedin', platform: 'linkedin', title: 'LinkedIn post', medium: 'social' },
  { id: 'twitter', platform: 'twitter', title: 'Post on X', medium: 'social' },
  { id: 'email', platform: 'email', title: 'E-mail signature', medium: 'email' },
  { id: 'newsletter', platform: 'newsletter', title: 'Newsletter blurb', medium: 'email' },
] as const;

/** Ready-to-paste texts, each with its own tracked link, quoting the expert's real numbers. */
export function shareTemplates(
  clientOrigin: string,
  handle: string | null,
  stats: { answered: number; averageRating: number | null },
): ShareTemplate[] {
  const proof = [
    stats.answered > 0 ? `I've answered ${stats.answered} question${stats.answered === 1 ? '' : 's'}` : null,
    stats.averageRating !== null ? `rated ${stats.averageRating}/5` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return PLATFORMS.map((p) => {
    const url = campaignUrl(clientOrigin, handle, { utm_source: p.platform, utm_medium: p.medium, utm_campaign: 'share_template' });
    const lead = proof ? `${proof}. ` : '';
    const text =
      p.platform === 'twitter'
        ? `${lead}Got a question for me? Ask it here and get a personal video answer: ${url}`
        : p.platform === 'email'
          ? `Ask me a question, get a personal answer: ${url}`
          : `${lead}You can now ask me your question directly and get a personal, recorded answer. ${url}`;
    return { id: p.id, platform: p.platform, title: p.title, text, url };
  });
}
