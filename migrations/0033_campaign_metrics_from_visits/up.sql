-- Campaign metrics are computed from campaign_visit and question at read time; the legacy
-- counters drifted (recomputed only on a visit, never on a refund or a deleted question).
COMMENT ON COLUMN utm_campaign.total_visits IS 'deprecated (0033): computed from campaign_visit';
COMMENT ON COLUMN utm_campaign.total_questions IS 'deprecated (0033): computed from campaign_visit';
COMMENT ON COLUMN utm_campaign.total_revenue_cents IS 'deprecated (0033): computed from campaign_visit and question';
COMMENT ON COLUMN utm_campaign.conversion_rate IS 'deprecated (0033): computed from campaign_visit';
COMMENT ON COLUMN utm_campaign.last_visit_at IS 'deprecated (0033): computed from campaign_visit';
