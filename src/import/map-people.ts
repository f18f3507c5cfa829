/** Legacy `user` and `expert_profile` → ours. */
import { sql } from 'kysely';
import { bool, id, int, json, str, ts } from './convert.ts';
import { existing, ids, owners } from './lookups.ts';
import { mapByLegacyId } from './row-map.ts';
import type { TableSpec } from './types.ts';

const normEmail = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().toLowerCase() : null);

export const userSpec: TableSpec<Map<string, number>> = {
  legacy: 'user',
  target: 'user',
  columns: {
    id: 'int',
    email: 'text',
    name: 'text',
    fname: 'text',
    lname: 'text',
    address: 'text',
    city: 'text',
    zip: 'text',
    country: 'text',
    password: 'text',
    role: 'text',
    auth_provider: 'text',
    auth_provider_id: 'text',
    google_sub: 'text',
    google_oauth: 'json',
    linkedin_oauth: 'json',
    created_at: 'ts',
  },
  changeColumns: ['created_at'],
  async prepare(db, rows) {
    const emails = [...new Set(rows.map((r) => normEmail(r.email)).filter((e): e is string => e !== null))];
    const { rows: found } = emails.length
      ? await sql<{
          id: number;
          key: string;
        }>`SELECT id, lower(email) AS key FROM "user" WHERE lower(email) = ANY(${emails}::text[])`.execute(db)
      : { rows: [] };
    return owners(
      found.map((f) => ({ key: f.key, id: Number(f.id) })),
      rows.map((r) => ({ key: normEmail(r.email), id: id(r.id) })),
    );
  },
  map: (r, emailOwner) =>
    mapByLegacyId(r, (rowId, repair) => {
      const email = normEmail(r.email);
      if (!email?.includes('@')) return 'missing or invalid email';
      if (email !== r.email) repair('email trimmed and lower-cased');
      const owner = emailOwner.get(email);
      if (owner !== undefined && owner !== rowId) return `duplicate email (case-insensitive) of user ${owner}`;
      const created = ts(r.created_at);
      if (!created) return 'missing created_at';
      let provider = str(r.auth_provider);
      if (provider !== 'google' && provider !== 'linkedin' && provider !== 'magic_link') {
        provider = 'magic_link';
        repair('auth_provider empty or unknown → magic_link');
      }
      if (r.password) repair('password hash not imported');
      if (r.name === null || r.name === undefined) repair('name null → empty');
      return {
        email,
        name: str(r.name) ?? '',
        fname: str(r.fname),
        lname: str(r.lname),
        address: str(r.address),
        city: str(r.city),
        zip: str(r.zip),
        country: str(r.country),
        password: null,
        role: str(r.role) ?? '',
        auth_provider: provider,
        auth_provider_id: str(r.auth_provider_id),
        google_sub: str(r.google_sub),
        google_oauth: json(r.google_oauth, 'google_oauth', repair),
        linkedin_oauth: json(r.linkedin_oauth, 'linkedin_oauth', repair),
        created_at: created,
      };
    }),
};

/** Trimmed, inner spaces as dashes, only URL-safe characters, at most 30 (our CHECK). */
function normaliseHandle(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const h = raw
    .trim()
    .replace(/\s+/g, '-')
    .replace(/[^A-Za-z0-9._-]/g, '')
    .slice(0, 30);
  return h || null;
}

interface ProfileLookup {
  users: Set<number>;
  userOwner: Map<string, number>;
  handles: Map<number, string | null>;
}

function candidates(h: string): string[] {
  return [h, ...Array.from({ length: 8 }, (_, i) => `${h.slice(0, 30 - String(i + 2).length - 1)}-${i + 2}`)];
}

export const profileSpec: TableSpec<ProfileLookup> = {
  legacy: 'expert_profile',
  target: 'expert_profile',
  columns: {
    id: 'int',
    user_id: 'int',
    handle: 'text',
    bio: 'text',
    price_cents: 'int',
    sla_hours: 'int',
    currency: 'text',
    public: 'bool',
    status: 'text',
    avatar_url: 'text',
    professional_title: 'text',
    tagline: 'text',
    expertise: 'json',
    socials: 'json',
    charity_percentage: 'int',
    selected_charity: 'text',
    accepting_questions: 'bool',
    daily_digest_enabled: 'bool',
    tier1_enabled: 'bool',
    tier1_price_cents: 'int',
    tier1_sla_hours: 'int',
    tier1_description: 'text',
    tier2_enabled: 'bool',
    tier2_pricing_mode: 'text',
    tier2_min_price_cents: 'int',
    tier2_max_price_cents: 'int',
    tier2_auto_decline_below_cents: 'int',
    tier2_sla_hours: 'int',
    tier2_description: 'text',
    created_at: 'ts',
    updated_at: 'ts',
  },
  changeColumns: ['created_at', 'updated_at'],
  async prepare(db, rows) {
    const users = await existing(db, 'user', ids(rows, 'user_id'));
    const uids = ids(rows, 'user_id').filter((v): v is number => v !== null);
    const { rows: byUser } = uids.length
      ? await sql<{ id: number; user_id: number }>`SELECT id, user_id FROM expert_profile WHERE user_id = ANY(${uids}::bigint[])`.execute(
          db,
        )
      : { rows: [] };
    const userOwner = owners(
      byUser.map((p) => ({ key: String(p.user_id), id: Number(p.id) })),
      rows.map((r) => ({ key: id(r.user_id) === null ? null : String(id(r.user_id)), id: id(r.id) })),
    );
    // Handles: a normalised handle taken by a lower id gets a numbered suffix, decided in id order.
    const wanted = rows.flatMap((r) => {
      const h = normaliseHandle(r.handle);
      return h ? candidates(h) : [];
    });
    const { rows: taken } = wanted.length
      ? await sql<{ id: number; handle: string }>`SELECT id, handle FROM expert_profile WHERE handle = ANY(${wanted}::text[])`.execute(db)
      : { rows: [] };
    const handles = new Map<number, string | null>();
    const sorted = [...rows].sort((a, b) => (id(a.id) ?? 0) - (id(b.id) ?? 0));
    for (const r of sorted) {
      const rowId = id(r.id) ?? 0;
      const h = normaliseHandle(r.handle);
      const usedBelow = (c: string) =>
        taken.some((t) => t.handle === c && Number(t.id) < rowId) || [...handles].some(([other, v]) => v === c && other < rowId);
      handles.set(rowId, h ? (candidates(h).find((c) => !usedBelow(c)) ?? null) : null);
    }
    return { users, userOwner, handles };
  },
  map: (r, look) =>
    mapByLegacyId(r, (rowId, repair, issues) => {
      const userId = id(r.user_id);
      if (userId === null || !look.users.has(userId)) return `user_id ${r.user_id} points at a missing user`;
      const owner = look.userOwner.get(String(userId));
      if (owner !== undefined && owner !== rowId) return `user ${userId} already has expert profile ${owner}`;
      const created = ts(r.created_at);
      if (!created) return 'missing created_at';
      const handle = look.handles.get(rowId) ?? null;
      if (handle !== r.handle) {
        const normal = normaliseHandle(r.handle);
        if (normal && handle !== normal) {
          repair('handle collision → numbered suffix');
          issues.push({
            kind: 'handle_collision',
            detail: `handle ${JSON.stringify(r.handle)} is taken; imported as ${JSON.stringify(handle)}`,
          });
        } else if (r.handle) repair(handle ? 'handle normalised' : 'handle unusable → none');
      }
      let bio = str(r.bio);
      if (bio && bio.length > 600) {
        bio = bio.slice(0, 600);
        repair('bio cut to 600 characters');
      }
      const atLeast = (v: unknown, min: number, dflt: number, what: string) => {
        const n = int(v);
        if (n !== null && n >= min) return n;
        repair(`${what} below ${min} → ${dflt}`);
        return dflt;
      };
      let currency = (str(r.currency) ?? 'USD').toUpperCase();
      if (currency !== r.currency) repair('currency normalised');
      if (currency !== 'EUR' && currency !== 'USD') currency = 'USD';
      let charity = int(r.charity_percentage) ?? 0;
      if (charity < 0 || charity > 100) {
        charity = Math.min(100, Math.max(0, charity));
        repair('charity_percentage clamped to 0..100');
      }
      const autoDecline = int(r.tier2_auto_decline_below_cents);
      return {
        user_id: userId,
        handle,
        bio,
        price_cents: atLeast(r.price_cents, 1, 75, 'price_cents'),
        sla_hours: atLeast(r.sla_hours, 1, 48, 'sla_hours'),
        currency,
        public: bool(r.public, false),
        status: str(r.status),
        avatar_url: str(r.avatar_url) || null,
        professional_title: str(r.professional_title),
        tagline: str(r.tagline),
        expertise: json(r.expertise, 'expertise', repair),
        socials: json(r.socials, 'socials', repair),
        charity_percentage: charity,
        selected_charity: str(r.selected_charity),
        accepting_questions: bool(r.accepting_questions, true),
        daily_digest_enabled: bool(r.daily_digest_enabled, true),
        tier1_enabled: bool(r.tier1_enabled, true),
        tier1_price_cents: atLeast(r.tier1_price_cents ?? 5000, 0, 5000, 'tier1_price_cents'),
        tier1_sla_hours: atLeast(r.tier1_sla_hours ?? 24, 1, 24, 'tier1_sla_hours'),
        tier1_description: str(r.tier1_description) ?? '',
        tier2_enabled: bool(r.tier2_enabled, false),
        tier2_pricing_mode: str(r.tier2_pricing_mode) ?? 'asker_proposes',
        tier2_min_price_cents: atLeast(r.tier2_min_price_cents ?? 0, 0, 0, 'tier2_min_price_cents'),
        tier2_max_price_cents: atLeast(r.tier2_max_price_cents ?? 0, 0, 0, 'tier2_max_price_cents'),
        tier2_auto_decline_below_cents: autoDecline !== null && autoDecline >= 0 ? autoDecline : null,
        tier2_sla_hours: atLeast(r.tier2_sla_hours ?? 48, 1, 48, 'tier2_sla_hours'),
        tier2_description: str(r.tier2_description) ?? '',
        created_at: created,
        updated_at: ts(r.updated_at) ?? created,
      };
    }),
};
