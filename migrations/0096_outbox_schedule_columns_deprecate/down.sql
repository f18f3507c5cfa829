COMMENT ON COLUMN email_outbox.next_attempt_at IS NULL;
COMMENT ON COLUMN file_deletion_outbox.next_attempt_at IS NULL;
