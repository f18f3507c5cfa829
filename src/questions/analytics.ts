/** GET /me/dashboard-analytics: the dashboard's numbers over all of the expert's questions. */
import type { listForAnalytics } from './listing.ts';

type Row = Awaited<ReturnType<typeof listForAnalytics>>[number];

const HOUR = 3600_000;
const round1 = (n: number) => Math.round(n * 10) / 10;
const priceOf = (r: Row) => r.final_price_cents ?? r.price_cents;
const isAnswered = (r: Row) => r.answered_at !== null || r.status === 'answered' || r.status === 'closed';
const monthStart = (d: Date, offset = 0) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1));

export function dashboardAnalytics(rows: Row[], now: Date) {
  const thisMonth = monthStart(now);
  const lastMonth = monthStart(now, -1);
  const answered = rows.filter(isAnswered);
  const answeredAt = (r: Row) => (r.answered_at ?? r.created_at).getTime();
  const inMonth = (r: Row, from: Date, to: Date) => answeredAt(r) >= from.getTime() && answeredAt(r) < to.getTime();
  const thisMonthAnswered = answered.filter((r) => inMonth(r, thisMonth, monthStart(now, 1)));
  const lastMonthAnswered = answered.filter((r) => inMonth(r, lastMonth, thisMonth));
  const sum = (rs: Row[]) => rs.reduce((s, r) => s + priceOf(r), 0);
  const thisRevenue = sum(thisMonthAnswered);
  const lastRevenue = sum(lastMonthAnswered);

  const timed = answered.filter((r) => r.answered_at);
  const startOf = (r: Row) => (r.sla_start_time ?? r.created_at).getTime();
  const hoursTaken = (r: Row) => ((r.answered_at as Date).getTime() - startOf(r)) / HOUR;
  const ratings = rows.map((r) => r.rating ?? 0).filter((n) => n > 0);
  const unanswered = rows.filter((r) => r.status === 'paid' && !isAnswered(r));
  const actionable = unanswered.filter((r) => !r.hidden && r.pricing_status !== 'offer_pending' && r.pricing_status !== 'offer_declined');
  const deadlineOf = (r: Row) => r.sla_deadline?.getTime() ?? r.created_at.getTime() + (r.sla_hours_snapshot ?? 24) * HOUR;
  const urgent = actionable.filter((r) => {
    const left = deadlineOf(r) - now.getTime();
    return left > 0 && left < 2 * HOUR;
  });
  const withinSla = timed.filter((r) => hoursTaken(r) <= (r.sla_hours_snapshot ?? 24));

  return {
    thisMonthRevenue: round1(thisRevenue / 100),
    avgResponseTime: timed.length ? round1(timed.reduce((s, r) => s + hoursTaken(r), 0) / timed.length) : 0,
    avgRating: ratings.length ? round1(ratings.reduce((s, n) => s + n, 0) / ratings.length) : 0,
    urgentCount: urgent.length,
    pendingCount: unanswered.filter((r) => r.pricing_status !== 'offer_declined').length,
    answeredCount: answered.length,
    thisMonthAnsweredCount: thisMonthAnswered.length,
    avgRevenuePerQuestion: answered.length ? round1(sum(answered) / answered.length / 100) : 0,
    slaComplianceRate: timed.length ? round1((withinSla.length / timed.length) * 100) : 0,
    totalQuestions: rows.length,
    revenueChange: lastRevenue > 0 ? round1(((thisRevenue - lastRevenue) / lastRevenue) * 100) : thisRevenue > 0 ? 100 : 0,
  };
}
