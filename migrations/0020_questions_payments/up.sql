-- The simulated payment provider keeps PaymentIntent-like records here, with Stripe's states,
-- so that the default install needs no payment account and tests see real provider state.
CREATE TABLE simulated_payment_intent (
  id text PRIMARY KEY CHECK (id ~ '^pi_[A-Za-z0-9_]+$'),
  amount_cents integer NOT NULL CHECK (amount_cents > 0),
  currency text NOT NULL CHECK (currency = lower(currency)),
  status text NOT NULL CHECK (status IN (
    'requires_payment_method', 'requires_confirmation', 'requires_action', 'processing',
    'requires_capture', 'succeeded', 'canceled'
  )),
  capture_method text NOT NULL DEFAULT 'manual' CHECK (capture_method IN ('manual', 'automatic')),
  client_secret text NOT NULL,
  description text,
  metadata jsonb NOT NULL DEFAULT '{}',
  amount_received integer NOT NULL DEFAULT 0 CHECK (amount_received >= 0),
  cancellation_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A provider call (capture on answer, cancel on every other ending) is decided inside the
-- transaction that changes the question and carried out after commit; until the provider
-- confirms, the decision stays recorded here and a retry finds it (never answered-but-forgotten).
ALTER TABLE payment
  ADD COLUMN pending_action text,
  ADD COLUMN action_due_at timestamptz;
ALTER TABLE payment
  ADD CONSTRAINT payment_pending_action_check CHECK (
    pending_action IN ('capture', 'cancel') AND action_due_at IS NOT NULL OR pending_action IS NULL
  ) NOT VALID;
ALTER TABLE payment VALIDATE CONSTRAINT payment_pending_action_check;
CREATE INDEX payment_pending_action_idx ON payment (action_due_at) WHERE pending_action IS NOT NULL;

ALTER TABLE question ADD COLUMN refund_reason text;

-- GET /me/questions: the tabs (pending / answered / all), price sort and time-left sort, all per
-- expert; the legacy client reads every tab with per_page=1000 on each dashboard load.
CREATE INDEX question_expert_pending_idx ON question (expert_profile_id, created_at DESC)
  WHERE status = 'paid' AND answered_at IS NULL AND NOT hidden;
CREATE INDEX question_expert_price_idx ON question (expert_profile_id, (COALESCE(final_price_cents, price_cents)));
CREATE INDEX question_expert_offers_idx ON question (expert_profile_id, offer_expires_at)
  WHERE pricing_status = 'offer_pending';

-- Review links of removed questions answer 410 instead of 404: the hash of the token is kept.
CREATE TABLE review_token_tombstone (
  token_hash text PRIMARY KEY,
  reason text NOT NULL CHECK (reason IN ('expert_deleted', 'question_deleted')),
  removed_at timestamptz NOT NULL DEFAULT now()
);
