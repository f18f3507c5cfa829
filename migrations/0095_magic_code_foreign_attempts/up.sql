ALTER TABLE magic_link_token ADD COLUMN foreign_failed_attempts integer NOT NULL DEFAULT 0;
