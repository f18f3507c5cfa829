/** What a ticket is made from: the feedback, as triage sees it (no contact details). */
export interface TicketInput {
  feedbackId: number;
  type: 'bug' | 'feature' | 'feedback' | 'question' | 'other';
  priority: 'low' | 'medium' | 'high' | 'critical';
  message: string;
  pageUrl: string | null;
  /** The feedback in the admin console, linked from the ticket. */
  adminUrl: string;
  /** Linked, never fetched: the server does not download submitted URLs (SSRF). */
  attachments: { name: string; url: string }[];
}

export interface Ticket {
  key: string;
  id: string;
  url: string;
}

/** An issue tracker the console files feedback into (TICKETS=jira). */
export interface TicketProvider {
  readonly kind: 'jira';
  create(input: TicketInput): Promise<Ticket>;
  /** The browse URL of an existing ticket key. */
  urlOf(key: string): string;
}

/** The tracker refused or could not be reached; `detail` is for the log only, never the client. */
export class TicketProviderError extends Error {
  readonly detail: string;
  constructor(message: string, detail: string) {
    super(message);
    this.detail = detail;
  }
}
