-- A revocation that sticks: an admin session may be opened again only from a main-app session
-- signed in after this moment (revoke-all, logout), not silently re-minted from the old one.
ALTER TABLE admin_users ADD COLUMN sessions_revoked_at timestamptz;

-- The console's notification settings: one row (id = 1).
CREATE TABLE notification_config (
  id integer PRIMARY KEY CHECK (id = 1),
  alert_emails text[] NOT NULL DEFAULT '{}' CHECK (cardinality(alert_emails) <= 20),
  sla_threshold integer NOT NULL DEFAULT 90 CHECK (sla_threshold BETWEEN 0 AND 100),
  moderation_threshold integer NOT NULL DEFAULT 20 CHECK (moderation_threshold BETWEEN 0 AND 1000000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
