-- Rows made by the new code have no raw token: they get an unusable placeholder so that the NOT NULL
-- of the old schema holds. Links sent since the deploy stop working; legacy rows keep their values.
DROP INDEX CONCURRENTLY magic_link_token_ip_hash_idx;
DROP INDEX CONCURRENTLY magic_link_token_token_hash_key;
UPDATE magic_link_token SET token = 'no-raw-token-' || id::text WHERE token IS NULL;
ALTER TABLE magic_link_token ALTER COLUMN token SET NOT NULL;
ALTER TABLE magic_link_token DROP CONSTRAINT magic_link_token_failed_attempts_check;
ALTER TABLE magic_link_token
  DROP COLUMN failed_attempts,
  DROP COLUMN ip_hash,
  DROP COLUMN code_hash,
  DROP COLUMN token_hash;
