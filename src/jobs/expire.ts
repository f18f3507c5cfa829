import type { AppContext } from '../context.ts';
import { queueEmail } from '../email/outbox.ts';
import type { JobDefinition, JobSummary } from '../job-queue/types.ts';
import { type ExpiryKind, expireOffer, expireSla, type OnExpired, selectDue } from '../offers/expire.ts';
import { recoverReviewToken } from '../questions/review-token.ts';
import { expiredEmail } from './expire-email.ts';

const BATCH = 500;

/** E-mail 6, queued in the expiry's own transaction: the asker hears of it exactly once. */
export function notifyAsker(ctx: AppContext, kind: ExpiryKind): OnExpired {
  return async (trx, q) => {
    const expert = await trx
      .selectFrom('expert_profile')
      .innerJoin('user', 'user.id', 'expert_profile.user_id')
      .select(['user.name', 'expert_profile.handle'])
      .where('expert_profile.id', '=', q.expert_profile_id)
      .executeTakeFirst();
    const token = recoverReviewToken(ctx.config.jwtSecret, q);
    const mail = expiredEmail({
      kind,
      expertName: expert?.name || expert?.handle || 'The expert',
      title: q.title,
      amountCents: q.final_price_cents ?? q.price_cents,
      reviewUrl: token ? `${ctx.config.clientOrigin}/r/${token}` : null,
    });
    await queueEmail(
      ctx.jobs,
      trx,
      { template: `${kind}-expired`, to: q.payer_email, dedupeKey: `${kind}-expired:${q.id}`, ...mail },
      ctx.now(),
    );
  };
}

/**
 * Declines every question whose deadline passed, releases its hold through the payment provider
 * (retried by payment-actions if the provider is down) and tells the asker. A question answered
 * or accepted in the meantime is re-checked under its row lock and skipped.
 */
function expiryJob(kind: ExpiryKind): JobDefinition<AppContext> {
  const expire = kind === 'offer' ? expireOffer : expireSla;
  return {
    name: kind === 'offer' ? 'expire-offers' : 'expire-sla',
    summary:
      kind === 'offer'
        ? 'Decline Deep Dive offers not accepted by offer_expires_at, release the hold, e-mail the asker.'
        : 'Decline questions not answered by their SLA deadline (sla_missed), release the hold, e-mail the asker.',
    cron: '*/15 * * * *',
    async run(ctx, { log, signal, dryRun }): Promise<JobSummary> {
      const summary = { items: 0, failed: 0, expired: 0, skipped: 0 };
      const ids = await selectDue(ctx, kind, BATCH);
      summary.items = ids.length;
      if (dryRun) return summary;
      const notify = notifyAsker(ctx, kind);
      for (const id of ids) {
        signal.throwIfAborted();
        try {
          if (await expire(ctx, id, notify)) summary.expired++;
          else summary.skipped++;
        } catch (err) {
          summary.failed++;
          log.warn({ err, questionId: id }, `${kind} expiry failed; retried next run`);
        }
      }
      return summary;
    },
  };
}

export const expireOffersJob = expiryJob('offer');
export const expireSlaJob = expiryJob('sla');
