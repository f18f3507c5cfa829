-- A card hold ends at the provider on its own (Stripe: about 7 days). capture_before is when;
-- hold_short flags a question whose answer deadline falls after it (kept, never refused);
-- hold_warning_sent_at records the expert's one warning 24 hours before the hold ends.
ALTER TABLE payment
  ADD COLUMN capture_before timestamptz,
  ADD COLUMN hold_short boolean NOT NULL DEFAULT false,
  ADD COLUMN hold_warning_sent_at timestamptz;

-- A question whose hold expired unanswered: it leaves the inbox's pending list and cannot be answered.
ALTER TABLE question DROP CONSTRAINT question_status_check;
ALTER TABLE question
  ADD CONSTRAINT question_status_check CHECK (status IN (
    'paid', 'declined', 'closed', 'refunded', 'answered', 'draft', 'pending_payment', 'accepted', 'hold_expired'
  )) NOT VALID;
ALTER TABLE question VALIDATE CONSTRAINT question_status_check;
