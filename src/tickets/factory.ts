import type { TicketsConfig } from './config.ts';
import { createJiraProvider } from './jira.ts';
import type { TicketProvider } from './provider.ts';

/** null = TICKETS=off: the console's "Create Jira" answers 503. */
export function createTicketProvider(config: TicketsConfig): TicketProvider | null {
  switch (config.kind) {
    case 'off':
      return null;
    case 'jira':
      return createJiraProvider(config);
    default: {
      const unknown: never = config;
      throw new Error(`Unknown ticket provider ${JSON.stringify(unknown)}`);
    }
  }
}
