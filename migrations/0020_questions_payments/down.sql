DROP TABLE review_token_tombstone;
DROP INDEX question_expert_offers_idx;
DROP INDEX question_expert_price_idx;
DROP INDEX question_expert_pending_idx;
ALTER TABLE question DROP COLUMN refund_reason;
DROP INDEX payment_pending_action_idx;
ALTER TABLE payment DROP CONSTRAINT payment_pending_action_check;
ALTER TABLE payment DROP COLUMN pending_action, DROP COLUMN action_due_at;
DROP TABLE simulated_payment_intent;
