-- Deprecate: from this release on, the app neither reads nor writes the outboxes' next_attempt_at.
-- When an e-mail or a file deletion runs next is pg-boss's job schedule (start_after), not the row's.
-- The columns (and the partial indexes on them) stay one more release so that the previous version
-- keeps working during a rolling deploy; a later contract migration drops them.
COMMENT ON COLUMN email_outbox.next_attempt_at IS 'deprecated by 0096: the email-deliver job schedules the delivery';
COMMENT ON COLUMN file_deletion_outbox.next_attempt_at IS 'deprecated by 0096: the file-delete job schedules the deletion';
