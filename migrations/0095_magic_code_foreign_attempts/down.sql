ALTER TABLE magic_link_token DROP COLUMN foreign_failed_attempts;
