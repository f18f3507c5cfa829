-- hold_expired questions cannot exist under the old constraint: they become declined (their hold is gone).
UPDATE question SET status = 'declined', decline_reason = COALESCE(decline_reason, 'Payment hold expired')
WHERE status = 'hold_expired';
ALTER TABLE question DROP CONSTRAINT question_status_check;
ALTER TABLE question
  ADD CONSTRAINT question_status_check CHECK (status IN (
    'paid', 'declined', 'closed', 'refunded', 'answered', 'draft', 'pending_payment', 'accepted'
  ));
ALTER TABLE payment
  DROP COLUMN hold_warning_sent_at,
  DROP COLUMN hold_short,
  DROP COLUMN capture_before;
