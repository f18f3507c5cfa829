-- Backfill: the owner links are copied into the parents' foreign keys by the two batched
-- backfills declared in backfill.yaml, which the engine runs before these statements.
-- Validation scans each table under SHARE UPDATE EXCLUSIVE: reads and writes continue.
ALTER TABLE question VALIDATE CONSTRAINT question_media_asset_id_fkey;
ALTER TABLE answer VALIDATE CONSTRAINT answer_media_asset_id_fkey;
