/**
 * The widget sends about twenty context, journey and consent fields besides the ones we keep in
 * columns, and may add more with any release. Unknown fields are kept in `feedback.context`
 * rather than rejected, within a size budget.
 */
const COLUMN_FIELDS = ['type', 'message', 'rating', 'email', 'wants_followup', 'session_id', 'page_url', 'attachments'] as const;

const MAX_CONTEXT_KEYS = 100;
const MAX_CONTEXT_BYTES = 16 * 1024;

export type ContextResult = { ok: true; context: Record<string, unknown> } | { ok: false; reason: string };

export function splitContext(body: Record<string, unknown>): ContextResult {
  const context: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if ((COLUMN_FIELDS as readonly string[]).includes(k) || v === undefined) continue;
    context[k] = v;
  }
  if (Object.keys(context).length > MAX_CONTEXT_KEYS) {
    return { ok: false, reason: `Send at most ${MAX_CONTEXT_KEYS} context fields.` };
  }
  if (Buffer.byteLength(JSON.stringify(context)) > MAX_CONTEXT_BYTES) {
    return { ok: false, reason: `The context fields must total at most ${MAX_CONTEXT_BYTES / 1024} KB.` };
  }
  return { ok: true, context };
}
