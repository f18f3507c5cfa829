DROP TABLE campaign_visit;
DROP TABLE utm_campaign;
