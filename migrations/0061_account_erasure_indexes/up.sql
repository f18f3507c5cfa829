-- Lookups of the erasure paths, built without blocking writes to these tables.
-- A media read checks whether its object belongs to an erased account (410 before the file is gone).
CREATE INDEX CONCURRENTLY file_deletion_outbox_key_idx ON file_deletion_outbox (target, object_key);
-- A retried DELETE /me/delete-account finds its receipt by idempotency key.
CREATE INDEX CONCURRENTLY erasure_audit_idempotency_idx ON erasure_audit (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- The retention job finds pseudonymised payments whose retention period has ended.
CREATE INDEX CONCURRENTLY payment_retain_until_idx ON payment (retain_until) WHERE retain_until IS NOT NULL;
