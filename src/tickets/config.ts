import { ConfigError, type Env, optional } from '../config-env.ts';

/** Where feedback tickets are created (TICKETS=off|jira) and how the Jira webhook is checked. */
export type TicketsConfig =
  | { kind: 'off'; webhookSecret: string | null }
  | { kind: 'jira'; baseUrl: string; email: string; apiToken: string; projectKey: string; webhookSecret: string | null };

export function ticketsConfig(env: Env): TicketsConfig {
  const webhookSecret = optional(env, 'JIRA_WEBHOOK_SECRET');
  if (webhookSecret !== null && webhookSecret.length < 16) throw new ConfigError('JIRA_WEBHOOK_SECRET must be at least 16 characters');
  const kind = optional(env, 'TICKETS') ?? 'off';
  if (kind === 'off') return { kind, webhookSecret };
  if (kind !== 'jira') throw new ConfigError(`TICKETS must be off or jira, got "${kind}"`);
  const need = (name: string) => {
    const v = optional(env, name);
    if (!v) throw new ConfigError(`${name} is required with TICKETS=jira`);
    return v;
  };
  const baseUrl = need('JIRA_BASE_URL').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl)) throw new ConfigError(`JIRA_BASE_URL must be an http(s) URL, got "${baseUrl}"`);
  const projectKey = need('JIRA_PROJECT_KEY');
  if (!/^[A-Z][A-Z0-9_]{0,19}$/.test(projectKey)) throw new ConfigError(`JIRA_PROJECT_KEY must be a Jira project key, got "${projectKey}"`);
  return { kind, baseUrl, email: need('JIRA_EMAIL'), apiToken: need('JIRA_API_TOKEN'), projectKey, webhookSecret };
}
