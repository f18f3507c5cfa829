-- Quick Consult (tier 1, fixed price) and Deep Dive (tier 2, asker proposes, expert accepts).
-- Constant defaults: PostgreSQL 11+ adds these columns without rewriting the table.
ALTER TABLE expert_profile
  ADD COLUMN tier1_enabled boolean NOT NULL DEFAULT true,
  ADD COLUMN tier1_price_cents integer NOT NULL DEFAULT 5000,
  ADD COLUMN tier1_sla_hours integer NOT NULL DEFAULT 24,
  ADD COLUMN tier1_description text NOT NULL DEFAULT '',
  ADD COLUMN tier2_enabled boolean NOT NULL DEFAULT false,
  ADD COLUMN tier2_pricing_mode text NOT NULL DEFAULT 'asker_proposes',
  ADD COLUMN tier2_min_price_cents integer NOT NULL DEFAULT 0,
  ADD COLUMN tier2_max_price_cents integer NOT NULL DEFAULT 0,
  ADD COLUMN tier2_auto_decline_below_cents integer,
  ADD COLUMN tier2_sla_hours integer NOT NULL DEFAULT 48,
  ADD COLUMN tier2_description text NOT NULL DEFAULT '';
ALTER TABLE expert_profile
  ADD CONSTRAINT expert_profile_tier_values_check CHECK (
    tier1_price_cents >= 0 AND tier1_sla_hours >= 1 AND tier2_sla_hours >= 1
    AND tier2_min_price_cents >= 0 AND tier2_max_price_cents >= 0
    AND (tier2_auto_decline_below_cents IS NULL OR tier2_auto_decline_below_cents >= 0)
  ) NOT VALID;
ALTER TABLE expert_profile VALIDATE CONSTRAINT expert_profile_tier_values_check;

-- Every question before this change was a fixed-price, paid Quick Consult.
ALTER TABLE question
  ADD COLUMN question_tier text NOT NULL DEFAULT 'quick_consult',
  ADD COLUMN pricing_status text NOT NULL DEFAULT 'paid',
  ADD COLUMN proposed_price_cents integer,
  ADD COLUMN final_price_cents integer,
  ADD COLUMN asker_message text,
  ADD COLUMN offer_expires_at timestamptz;
ALTER TABLE question
  ADD CONSTRAINT question_tier_check CHECK (question_tier IN ('quick_consult', 'deep_dive')) NOT VALID,
  ADD CONSTRAINT question_pricing_status_check CHECK (pricing_status IN (
    'paid', 'offer_pending', 'offer_accepted', 'offer_declined', 'offer_expired', 'refunded'
  )) NOT VALID;
ALTER TABLE question VALIDATE CONSTRAINT question_tier_check;
ALTER TABLE question VALIDATE CONSTRAINT question_pricing_status_check;
