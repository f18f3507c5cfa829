DROP TABLE notification_config;
ALTER TABLE admin_users DROP COLUMN sessions_revoked_at;
