import type { TicketsConfig } from './config.ts';
import { type Ticket, type TicketInput, type TicketProvider, TicketProviderError } from './provider.ts';

type JiraConfig = Extract<TicketsConfig, { kind: 'jira' }>;

const ISSUE_TYPE: Record<TicketInput['type'], string> = { bug: 'Bug', feature: 'Story', feedback: 'Task', question: 'Task', other: 'Task' };
const PRIORITY: Record<TicketInput['priority'], string> = { critical: 'Highest', high: 'High', medium: 'Medium', low: 'Low' };
const TIMEOUT_MS = 10_000;

const text = (t: string) => ({ type: 'text', text: t });
const link = (label: string, href: string) => ({ type: 'text', text: label, marks: [{ type: 'link', attrs: { href } }] });
const paragraph = (...content: object[]) => ({ type: 'paragraph', content });

/** The issue body of Jira Cloud's REST API v3 (description in Atlassian Document Format). */
function jiraIssueFields(projectKey: string, t: TicketInput) {
  const oneLine = t.message.replace(/\s+/g, ' ').trim();
  const content: object[] = [paragraph(text(t.message)), paragraph(text('Feedback in the admin console: '), link(t.adminUrl, t.adminUrl))];
  if (t.pageUrl) content.push(paragraph(text(`Page: ${t.pageUrl}`)));
  if (t.attachments.length) {
    content.push({
      type: 'bulletList',
      content: t.attachments.map((a) => ({ type: 'listItem', content: [paragraph(text(`${a.name}: ${a.url}`))] })),
    });
  }
  return {
    project: { key: projectKey },
    summary: `[FEEDBACK-${t.feedbackId}] ${oneLine.slice(0, 100)}`,
    description: { type: 'doc', version: 1, content },
    issuetype: { name: ISSUE_TYPE[t.type] },
    priority: { name: PRIORITY[t.priority] },
    labels: ['feedback', `feedback-${t.type}`],
  };
}

/** Jira Cloud: `POST /rest/api/3/issue` with Basic e-mail:API-token authentication. */
export function createJiraProvider(config: JiraConfig): TicketProvider {
  const auth = `Basic ${Buffer.from(`${config.email}:${config.apiToken}`).toString('base64')}`;
  const urlOf = (key: string) => `${config.baseUrl}/browse/${encodeURIComponent(key)}`;
  return {
    kind: 'jira',
    urlOf,
    async create(input): Promise<Ticket> {
      let res: Response;
      try {
        res = await fetch(`${config.baseUrl}/rest/api/3/issue`, {
          method: 'POST',
          headers: { authorization: auth, accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify({ fields: jiraIssueFields(config.projectKey, input) }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
          redirect: 'error',
        });
      } catch (err) {
        throw new TicketProviderError('Jira could not be reached.', String(err));
      }
      const body = (await res.json().catch(() => null)) as { id?: unknown; key?: unknown } | null;
      if (res.status !== 201 || typeof body?.key !== 'string' || typeof body.id !== 'string') {
        throw new TicketProviderError(`Jira refused the ticket (HTTP ${res.status}).`, JSON.stringify(body)?.slice(0, 500) ?? '');
      }
      return { key: body.key, id: body.id, url: urlOf(body.key) };
    },
  };
}
