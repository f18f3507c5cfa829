-- A question is attributed to at most one visit; also serves the revenue join. Built without
-- blocking visit tracking; the legacy attribution was never called, so no duplicates exist.
CREATE UNIQUE INDEX CONCURRENTLY campaign_visit_question_uidx ON campaign_visit (question_id) WHERE question_id IS NOT NULL;
