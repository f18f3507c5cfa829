DROP TABLE file_deletion_outbox;
DROP TABLE erasure_audit;
ALTER TABLE payment DROP COLUMN retain_until, DROP COLUMN payer_pseudonym, DROP COLUMN expert_pseudonym;
ALTER TABLE payment DROP CONSTRAINT payment_question_id_fkey;
-- Payments whose question was erased cannot point anywhere again; they are removed with the rollback.
DELETE FROM payment WHERE question_id IS NULL;
ALTER TABLE payment ALTER COLUMN question_id SET NOT NULL;
ALTER TABLE payment ADD CONSTRAINT payment_question_id_fkey
  FOREIGN KEY (question_id) REFERENCES question (id) ON DELETE CASCADE;
