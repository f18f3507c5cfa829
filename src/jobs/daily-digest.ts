import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Db } from '../db/index.ts';
import { queueEmail } from '../email/outbox.ts';
import type { JobDefinition, JobSummary } from '../job-queue/types.ts';
import { type DigestQuestion, dailyDigestEmail } from './daily-digest-email.ts';

const BATCH = 50;
const URGENT_MS = 2 * 60 * 60 * 1000;

interface PendingRow {
  expert_profile_id: number;
  email: string;
  name: string;
  question_id: number;
  title: string;
  payer_first_name: string | null;
  price_cents: number;
  created_at: Date;
  deadline: Date | null;
}

/**
 * Pending = paid and unanswered, not an offer still awaiting a decision, not declined, not hidden
 * (the dashboard's Pending tab). The deadline is the SLA deadline, or creation + SLA snapshot for
 * rows that predate deadlines.
 */
async function selectPendingForExperts(db: Db, afterExpertId: number, limit: number): Promise<PendingRow[]> {
  const r = await sql<PendingRow>`
    WITH experts AS (
      SELECT ep.id, u.email, u.name
      FROM expert_profile ep JOIN "user" u ON u.id = ep.user_id
      WHERE ep.daily_digest_enabled AND ep.id > ${afterExpertId}
        AND EXISTS (SELECT 1 FROM question q WHERE q.expert_profile_id = ep.id AND q.status = 'paid' AND q.answered_at IS NULL
                    AND q.pricing_status NOT IN ('offer_pending', 'offer_declined', 'offer_expired') AND NOT q.hidden)
      ORDER BY ep.id LIMIT ${limit}
    )
    SELECT e.id AS expert_profile_id, e.email, e.name, q.id AS question_id, q.title, q.payer_first_name, q.price_cents, q.created_at,
           coalesce(q.sla_deadline, q.created_at + make_interval(hours => coalesce(q.sla_hours_snapshot, 24))) AS deadline
    FROM experts e JOIN question q ON q.expert_profile_id = e.id
    WHERE q.status = 'paid' AND q.answered_at IS NULL
      AND q.pricing_status NOT IN ('offer_pending', 'offer_declined', 'offer_expired') AND NOT q.hidden
    ORDER BY e.id, deadline`.execute(db);
  return r.rows;
}

/** E-mail 7, once per expert per UTC day: the dedupe key makes a rerun of the same day a no-op. */
export const dailyDigest: JobDefinition<AppContext> = {
  name: 'daily-digest',
  summary: 'E-mail each expert with the digest enabled their pending questions, time left and urgent count.',
  cron: '0 8 * * *',
  async run(ctx: AppContext, { log, signal, dryRun }): Promise<JobSummary> {
    const now = ctx.now();
    const day = now.toISOString().slice(0, 10);
    const summary = { items: 0, failed: 0, queued: 0, alreadySent: 0, questions: 0 };
    let after = 0;
    for (;;) {
      signal.throwIfAborted();
      const rows = await selectPendingForExperts(ctx.db, after, BATCH);
      if (!rows.length) break;
      const byExpert = Map.groupBy(rows, (r) => r.expert_profile_id);
      for (const [expertId, qs] of byExpert) {
        after = expertId;
        summary.items++;
        summary.questions += qs.length;
        const first = qs[0] as PendingRow;
        const questions: DigestQuestion[] = qs.map((q) => ({
          id: q.question_id,
          title: q.title,
          payer: q.payer_first_name,
          priceCents: q.price_cents,
          remainingMs: q.deadline ? q.deadline.getTime() - now.getTime() : null,
        }));
        if (dryRun) continue;
        try {
          const mail = dailyDigestEmail({
            name: first.name,
            questions,
            urgentMs: URGENT_MS,
            inboxUrl: `${ctx.config.clientOrigin}/dashboard/inbox`,
          });
          const id = await queueEmail(
            ctx.jobs,
            ctx.db,
            { template: 'daily-digest', to: first.email, dedupeKey: `digest:${expertId}:${day}`, ...mail },
            now,
          );
          if (id === null) summary.alreadySent++;
          else summary.queued++;
        } catch (err) {
          summary.failed++;
          log.warn({ err, expertId }, 'digest not queued');
        }
      }
      if (rows.length && byExpert.size < BATCH) break;
    }
    return summary;
  },
};
