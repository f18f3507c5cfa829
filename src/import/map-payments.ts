/** Legacy `payment_table_structure` → our `payment`, reconciled with its question's state. */
import { sql } from 'kysely';
import { bool, id, int, str, ts } from './convert.ts';
import { ids, owners } from './lookups.ts';
import { mapByLegacyId } from './row-map.ts';
import type { TableSpec } from './types.ts';

interface QuestionState {
  status: string;
  pricing_status: string;
  question_tier: string;
  created_at: string;
  answered_at: string | null;
  refunded_at: string | null;
  expert_reviewed_at: string | null;
  offer_expires_at: string | null;
  sla_deadline: string | null;
}

/** The payment status a question's state implies (legacy-backend.md §5), or null when any hold state fits. */
function expectedPaymentStatus(q: Pick<QuestionState, 'status' | 'pricing_status' | 'answered_at'>): string | null {
  if (q.status === 'closed' || q.answered_at) return 'captured';
  if (q.status === 'refunded' || q.status === 'declined') return 'refunded';
  if (q.status === 'paid') return q.pricing_status === 'offer_accepted' ? 'accepted' : 'authorized';
  return null;
}

interface PaymentLookup {
  questions: Map<number, QuestionState>;
  intentOwner: Map<string, number>;
}

/** The column as toISOString() would print it, done by the database: no Date parsed per value. */
const isoOf = (c: string) => sql`to_char(${sql.ref(c)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${sql.ref(c)}`;

export const paymentSpec: TableSpec<PaymentLookup> = {
  legacy: 'payment_table_structure',
  target: 'payment',
  columns: {
    id: 'int',
    question_id: 'int',
    stripe_payment_intent_id: 'text',
    amount_cents: 'int',
    currency: 'text',
    status: 'text',
    question_type: 'text',
    authorized_at: 'ts',
    accepted_at: 'ts',
    captured_at: 'ts',
    refunded_at: 'ts',
    capture_attempted: 'bool',
    capture_failed: 'bool',
    retry_count: 'int',
    error_message: 'text',
    created_at: 'ts',
    updated_at: 'ts',
  },
  changeColumns: ['created_at', 'updated_at', 'captured_at', 'refunded_at'],
  async prepare(db, rows) {
    const qids = ids(rows, 'question_id').filter((v): v is number => v !== null);
    const { rows: qs } = qids.length
      ? await sql<QuestionState & { id: number }>`
          SELECT id, status, pricing_status, question_tier, ${isoOf('created_at')}, ${isoOf('answered_at')}, ${isoOf('refunded_at')},
            ${isoOf('expert_reviewed_at')}, ${isoOf('offer_expires_at')}, ${isoOf('sla_deadline')}
          FROM question WHERE id = ANY(${qids}::bigint[])`.execute(db)
      : { rows: [] };
    const intents = rows.map((r) => str(r.stripe_payment_intent_id)).filter((v): v is string => Boolean(v));
    const { rows: taken } = intents.length
      ? await sql<{
          id: number;
          key: string;
        }>`SELECT id, stripe_payment_intent_id AS key FROM payment WHERE stripe_payment_intent_id = ANY(${intents}::text[])`.execute(db)
      : { rows: [] };
    return {
      questions: new Map(qs.map((q) => [Number(q.id), q])),
      intentOwner: owners(
        taken.map((t) => ({ key: t.key, id: Number(t.id) })),
        rows.map((r) => ({ key: str(r.stripe_payment_intent_id), id: id(r.id) })),
      ),
    };
  },
  map: (r, look) =>
    mapByLegacyId(r, (rowId, repair, issues) => {
      const intent = str(r.stripe_payment_intent_id)?.trim();
      if (!intent) return 'missing stripe_payment_intent_id';
      const owner = look.intentOwner.get(intent);
      if (owner !== undefined && owner !== rowId) return `payment intent ${intent} already used by payment ${owner}`;
      const amount = int(r.amount_cents);
      if (amount === null || amount < 0) return `invalid amount_cents ${r.amount_cents}`;
      let qid = id(r.question_id);
      const q = qid === null ? undefined : look.questions.get(qid);
      if (qid !== null && !q) {
        repair('question_id points at a missing question → null');
        issues.push({ kind: 'dangling_fk', detail: `question_id ${qid} does not exist` });
        qid = null;
      }
      let created = ts(r.created_at);
      if (!created) {
        created = q?.created_at ?? ts(r.updated_at);
        if (!created) return 'created_at = 0 and no question to date it';
        repair("created_at = 0 → the question's time");
      }
      let authorized = ts(r.authorized_at);
      let accepted = ts(r.accepted_at);
      if (!authorized) {
        authorized = created;
        repair('authorized_at null → creation time');
      }
      // Legacy creation wrote accepted_at = now; only an accepted Deep Dive offer was ever accepted.
      if (accepted && q && q.pricing_status !== 'offer_accepted') {
        accepted = null;
        repair('accepted_at written at creation → null');
      }
      let status = str(r.status) ?? 'authorized';
      let captured = ts(r.captured_at);
      let refunded = ts(r.refunded_at);
      const expected = q ? expectedPaymentStatus(q) : null;
      if (q && expected && status !== expected && status !== 'captured') {
        repair(`payment ${status} → ${expected} (question ${q.status}/${q.pricing_status})`);
        status = expected;
        if (status === 'captured') captured ??= q.answered_at;
        if (status === 'refunded') refunded ??= q.refunded_at ?? q.expert_reviewed_at ?? q.offer_expires_at ?? q.sla_deadline ?? created;
        if (status === 'accepted') accepted ??= q.expert_reviewed_at ?? created;
      }
      if (!['authorized', 'accepted', 'captured', 'refunded', 'failed'].includes(status)) return `unknown status ${status}`;
      if (q && expected && status !== expected)
        issues.push({ kind: 'payment_state', detail: `payment ${status} but question ${q.status}` });
      return {
        question_id: qid,
        stripe_payment_intent_id: intent,
        amount_cents: amount,
        currency: (str(r.currency) ?? 'USD').toUpperCase(),
        status,
        question_type: q?.question_tier ?? str(r.question_type),
        authorized_at: authorized,
        accepted_at: accepted,
        captured_at: captured,
        refunded_at: refunded,
        capture_attempted: bool(r.capture_attempted, false) || status === 'captured',
        capture_failed: bool(r.capture_failed, false),
        retry_count: Math.max(0, int(r.retry_count) ?? 0),
        error_message: str(r.error_message),
        created_at: created,
        updated_at: ts(r.updated_at) ?? created,
      };
    }),
};
