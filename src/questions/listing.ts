/**
 * The expert's question list (GET /me/questions), with the legacy filters, search, sorts and
 * pagination, and the small reads around it (count, pending offers, rated answers).
 */
import { type ExpressionBuilder, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { DB, QuestionStatus } from '../db/schema.ts';

type Q = Kysely<DB>;
type QB = SelectQueryBuilder<DB, 'question', object>;

export interface ListOptions {
  profileId: number;
  filterType: string | null;
  status: string | null;
  priceMinCents: number | null;
  priceMaxCents: number | null;
  search: string | null;
  sortBy: string | null;
  page: number;
  perPage: number;
}

const price = sql<number>`COALESCE(question.final_price_cents, question.price_cents)`;
const deadline = sql<Date>`COALESCE(question.sla_deadline, question.created_at + make_interval(hours => COALESCE(question.sla_hours_snapshot, 24)))`;

/** Actionable: paid, unanswered, not an open or declined offer, not hidden (the Pending tab). */
function isPending(eb: ExpressionBuilder<DB, 'question'>) {
  return eb.and([
    eb('question.status', '=', 'paid'),
    eb('question.answered_at', 'is', null),
    eb('question.pricing_status', 'not in', ['offer_pending', 'offer_declined']),
    eb('question.hidden', '=', false),
  ]);
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function applyFilters(qb: QB, o: ListOptions): QB {
  let q = qb.where('question.expert_profile_id', '=', o.profileId);
  const filter = o.filterType ?? 'all';
  if (filter === 'pending') q = q.where(isPending);
  else if (filter === 'answered') {
    q = q.where((eb) => eb.or([eb('question.answered_at', 'is not', null), eb('question.status', 'in', ['answered', 'closed'])]));
  } else if (filter === 'all') q = q.where('question.pricing_status', '!=', 'offer_pending');
  else if (filter !== '') q = q.where('question.status', '=', filter as QuestionStatus);
  if (o.status) q = q.where('question.status', '=', o.status as QuestionStatus);
  if (o.priceMinCents !== null) q = q.where(price, '>=', o.priceMinCents);
  if (o.priceMaxCents !== null) q = q.where(price, '<=', o.priceMaxCents);
  if (o.search) {
    const like = `%${escapeLike(o.search)}%`;
    q = q.where((eb) =>
      eb.or([
        eb('question.title', 'ilike', like),
        eb('question.text', 'ilike', like),
        eb('question.payer_email', 'ilike', like),
        eb('question.payer_first_name', 'ilike', like),
        eb('question.payer_last_name', 'ilike', like),
        eb(sql<string>`concat_ws(' ', question.payer_first_name, question.payer_last_name)`, 'ilike', like),
      ]),
    );
  }
  return q;
}

function applySort(qb: QB, sortBy: string | null): QB {
  switch (sortBy) {
    case 'date_old':
      return qb.orderBy('question.created_at', 'asc').orderBy('question.id', 'asc');
    case 'price_high':
      return qb.orderBy(price, 'desc').orderBy('question.id', 'desc');
    case 'price_low':
      return qb.orderBy(price, 'asc').orderBy('question.id', 'asc');
    case 'time_left':
      // Least time left first among the unanswered; everything else after, newest first.
      return qb
        .orderBy(sql`CASE WHEN question.status = 'paid' AND question.answered_at IS NULL THEN 0 ELSE 1 END`)
        .orderBy(sql`CASE WHEN question.status = 'paid' AND question.answered_at IS NULL THEN ${deadline} END`, 'asc')
        .orderBy('question.created_at', 'desc')
        .orderBy('question.id', 'desc');
    default:
      return qb.orderBy('question.created_at', 'desc').orderBy('question.id', 'desc');
  }
}

export async function listQuestions(db: Q, o: ListOptions) {
  const base = db.selectFrom('question') as unknown as QB;
  const [rows, total] = await Promise.all([
    applySort(applyFilters(base, o), o.sortBy)
      .selectAll('question')
      .limit(o.perPage)
      .offset((o.page - 1) * o.perPage)
      .execute(),
    applyFilters(base, o)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number((total as { n: number }).n) };
}

export async function countQuestions(db: Q, profileId: number, status: string | null, unanswered: boolean): Promise<number> {
  let q = db.selectFrom('question').where('expert_profile_id', '=', profileId);
  if (status) q = q.where('status', '=', status as QuestionStatus);
  if (unanswered) q = q.where('answered_at', 'is', null);
  const row = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function listPendingOffers(db: Q, profileId: number, now: Date) {
  return db
    .selectFrom('question')
    .selectAll()
    .where('expert_profile_id', '=', profileId)
    .where('pricing_status', '=', 'offer_pending')
    .where('status', '=', 'paid')
    .where('offer_expires_at', '>', now)
    .orderBy('offer_expires_at', 'asc')
    .execute();
}

export function listRatedAnswers(db: Q, profileId: number) {
  return db
    .selectFrom('answer')
    .innerJoin('question', 'question.id', 'answer.question_id')
    .select(['answer.question_id', 'answer.rating', 'answer.feedback_text', 'answer.feedback_at'])
    .where('question.expert_profile_id', '=', profileId)
    .where('answer.rating', '>', 0)
    .orderBy('answer.feedback_at', 'desc')
    .execute();
}

/** Every question of the expert with what the dashboard analytics need. */
export function listForAnalytics(db: Q, profileId: number) {
  return db
    .selectFrom('question')
    .leftJoin('answer', 'answer.question_id', 'question.id')
    .select([
      'question.status',
      'question.pricing_status',
      'question.hidden',
      'question.price_cents',
      'question.final_price_cents',
      'question.sla_hours_snapshot',
      'question.sla_start_time',
      'question.sla_deadline',
      'question.created_at',
      'question.answered_at',
      'answer.rating',
    ])
    .where('question.expert_profile_id', '=', profileId)
    .execute();
}
