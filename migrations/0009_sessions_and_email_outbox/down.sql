DROP TABLE email_outbox;
ALTER TABLE "user" DROP COLUMN last_login_at;
ALTER TABLE "user" DROP COLUMN token_version;
