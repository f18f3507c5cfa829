COMMENT ON COLUMN utm_campaign.total_visits IS NULL;
COMMENT ON COLUMN utm_campaign.total_questions IS NULL;
COMMENT ON COLUMN utm_campaign.total_revenue_cents IS NULL;
COMMENT ON COLUMN utm_campaign.conversion_rate IS NULL;
COMMENT ON COLUMN utm_campaign.last_visit_at IS NULL;
