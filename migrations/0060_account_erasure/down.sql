DROP TABLE account_export;
DROP TABLE privacy_code;
-- Scrub items cannot exist under the old constraint: they are dropped with the kind.
DELETE FROM file_deletion_outbox WHERE target = 'payment_intent';
ALTER TABLE file_deletion_outbox DROP CONSTRAINT file_deletion_outbox_target_check;
ALTER TABLE file_deletion_outbox ADD CONSTRAINT file_deletion_outbox_target_check CHECK (target IN ('storage', 'video'));
