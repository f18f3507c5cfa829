/** Legacy `utm_campaign` and `campaign_visit` → ours. */
import { sql } from 'kysely';
import { bool, id, int, type Repair, str, ts } from './convert.ts';
import { existing, ids, owners } from './lookups.ts';
import { mapByLegacyId } from './row-map.ts';
import type { TableSpec } from './types.ts';

const cut = (v: unknown, n: number, what: string, repair: Repair) => {
  const s = str(v);
  if (s && s.length > n) {
    repair(`${what} cut to ${n} characters`);
    return s.slice(0, n);
  }
  return s;
};

const campaignKey = (r: Record<string, unknown>) =>
  id(r.expert_profile_id) === null ? null : JSON.stringify([id(r.expert_profile_id), str(r.utm_source), str(r.utm_campaign)]);

interface CampaignLookup {
  experts: Set<number>;
  keyOwner: Map<string, number>;
}

export const campaignSpec: TableSpec<CampaignLookup> = {
  legacy: 'utm_campaign',
  target: 'utm_campaign',
  columns: {
    id: 'int',
    expert_profile_id: 'int',
    name: 'text',
    url_slug: 'text',
    utm_source: 'text',
    utm_medium: 'text',
    utm_campaign: 'text',
    utm_content: 'text',
    utm_term: 'text',
    status: 'text',
    total_visits: 'int',
    total_questions: 'int',
    total_revenue_cents: 'int',
    conversion_rate: 'num',
    created_at: 'ts',
    updated_at: 'ts',
    last_visit_at: 'ts',
  },
  changeColumns: ['created_at', 'updated_at', 'last_visit_at'],
  async prepare(db, rows) {
    const experts = ids(rows, 'expert_profile_id').filter((v): v is number => v !== null);
    const { rows: taken } = experts.length
      ? await sql<{ id: number; expert_profile_id: number; utm_source: string; utm_campaign: string }>`
          SELECT id, expert_profile_id, utm_source, utm_campaign FROM utm_campaign WHERE expert_profile_id = ANY(${experts}::bigint[])`.execute(
          db,
        )
      : { rows: [] };
    return {
      experts: await existing(db, 'expert_profile', experts),
      keyOwner: owners(
        taken.map((t) => ({ key: campaignKey(t) as string, id: Number(t.id) })),
        rows.map((r) => ({ key: campaignKey(r), id: id(r.id) })),
      ),
    };
  },
  map: (r, look) =>
    mapByLegacyId(r, (rowId, repair) => {
      const expert = id(r.expert_profile_id);
      if (expert === null || !look.experts.has(expert))
        return `expert_profile_id ${r.expert_profile_id} points at a missing expert profile`;
      const owner = look.keyOwner.get(campaignKey(r) as string);
      if (owner !== undefined && owner !== rowId) return `duplicate of campaign ${owner} (same expert, utm_source, utm_campaign)`;
      const source = cut(r.utm_source, 100, 'utm_source', repair);
      const campaign = cut(r.utm_campaign, 100, 'utm_campaign', repair);
      if (!source || !campaign) return 'missing utm_source or utm_campaign';
      const created = ts(r.created_at);
      if (!created) return 'missing created_at';
      let status = str(r.status) ?? 'active';
      if (!['active', 'paused', 'archived'].includes(status)) {
        status = 'active';
        repair('status unknown → active');
      }
      return {
        expert_profile_id: expert,
        name: str(r.name) || campaign,
        url_slug: str(r.url_slug),
        utm_source: source,
        utm_medium: cut(r.utm_medium, 100, 'utm_medium', repair),
        utm_campaign: campaign,
        utm_content: cut(r.utm_content, 255, 'utm_content', repair),
        utm_term: cut(r.utm_term, 255, 'utm_term', repair),
        status,
        total_visits: int(r.total_visits) ?? 0,
        total_questions: int(r.total_questions) ?? 0,
        total_revenue_cents: int(r.total_revenue_cents) ?? 0,
        conversion_rate: Math.min(999.99, Number(r.conversion_rate) || 0),
        created_at: created,
        updated_at: ts(r.updated_at) ?? created,
        last_visit_at: ts(r.last_visit_at),
      };
    }),
};

const DEVICES: Record<string, string> = { mobile: 'mobile', phone: 'mobile', tablet: 'tablet', desktop: 'desktop', unknown: 'unknown' };

interface VisitLookup {
  campaigns: Set<number>;
  experts: Set<number>;
  questions: Set<number>;
}

export const visitSpec: TableSpec<VisitLookup> = {
  legacy: 'campaign_visit',
  target: 'campaign_visit',
  columns: {
    id: 'int',
    campaign_id: 'int',
    expert_profile_id: 'int',
    visitor_ip_hash: 'text',
    referrer: 'text',
    user_agent: 'text',
    country: 'text',
    device_type: 'text',
    converted_to_question: 'bool',
    question_id: 'int',
    visited_at: 'ts',
    created_at: 'ts',
  },
  changeColumns: ['created_at'],
  pagesIndependent: true,
  async prepare(db, rows) {
    return {
      campaigns: await existing(db, 'utm_campaign', ids(rows, 'campaign_id')),
      experts: await existing(db, 'expert_profile', ids(rows, 'expert_profile_id')),
      questions: await existing(db, 'question', ids(rows, 'question_id')),
    };
  },
  map: (r, look) =>
    mapByLegacyId(r, (_rowId, repair, issues) => {
      const campaign = id(r.campaign_id);
      const expert = id(r.expert_profile_id);
      if (campaign === null || !look.campaigns.has(campaign)) return `campaign_id ${r.campaign_id} points at a missing campaign`;
      if (expert === null || !look.experts.has(expert))
        return `expert_profile_id ${r.expert_profile_id} points at a missing expert profile`;
      const rawDevice = str(r.device_type) ?? 'unknown';
      const device = DEVICES[rawDevice.toLowerCase()] ?? 'unknown';
      if (device !== rawDevice) repair('device_type normalised');
      let country = str(r.country);
      if (country && country.length !== 2) {
        repair('country not a 2-letter code → null');
        country = null;
      }
      let question = id(r.question_id);
      if (question !== null && !look.questions.has(question)) {
        repair('question_id points at a missing question → null');
        issues.push({ kind: 'dangling_fk', detail: `question_id ${question} does not exist` });
        question = null;
      }
      const created = ts(r.created_at) ?? ts(r.visited_at);
      if (!created) return 'missing created_at';
      return {
        campaign_id: campaign,
        expert_profile_id: expert,
        visitor_ip_hash: str(r.visitor_ip_hash),
        referrer: str(r.referrer),
        user_agent: str(r.user_agent),
        country,
        device_type: device,
        converted_to_question: bool(r.converted_to_question, false),
        question_id: question,
        visited_at: ts(r.visited_at) ?? created,
        created_at: created,
      };
    }),
};
