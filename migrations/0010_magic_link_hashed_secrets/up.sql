-- Magic-link secrets at rest become hashes: whoever reads the table (or a backup) cannot sign in.
-- token_hash = SHA-256 of the e-mailed token; code_hash = HMAC of the 6-digit code (keyed with a
-- server secret, because 900,000 codes are trivially enumerable); ip_hash = keyed hash of the IP,
-- kept only to count sends per address. failed_attempts caps code guessing per token.
ALTER TABLE magic_link_token
  ADD COLUMN token_hash text,
  ADD COLUMN code_hash text,
  ADD COLUMN ip_hash text,
  ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE magic_link_token
  ADD CONSTRAINT magic_link_token_failed_attempts_check CHECK (failed_attempts >= 0) NOT VALID;
ALTER TABLE magic_link_token VALIDATE CONSTRAINT magic_link_token_failed_attempts_check;

-- The raw columns are deprecated: the app no longer writes or reads them.
ALTER TABLE magic_link_token ALTER COLUMN token DROP NOT NULL;

-- Legacy rows: a link e-mailed just before the deploy keeps working (its hash is what the app looks
-- up). Their raw columns are left as they are (a migration keeps data): every legacy token expires
-- 15 minutes after it was sent, the app never reads the raw columns again, and the magic-link cleanup
-- deletes the rows within 30 days. The table is small, so one statement is short.
UPDATE magic_link_token
SET token_hash = encode(sha256(convert_to(token, 'UTF8')), 'hex')
WHERE token IS NOT NULL AND token_hash IS NULL;

CREATE UNIQUE INDEX CONCURRENTLY magic_link_token_token_hash_key ON magic_link_token (token_hash);
-- The per-IP send limit counts recent rows of one IP hash.
CREATE INDEX CONCURRENTLY magic_link_token_ip_hash_idx ON magic_link_token (ip_hash, created_at) WHERE ip_hash IS NOT NULL;
