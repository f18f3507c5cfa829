-- Expand: parents point at their media. Nullable columns, foreign keys added NOT VALID so the
-- ALTER holds its lock only for a catalog update; 0005 validates them after the backfill.
-- RESTRICT: a referenced media row can never be deleted, not even by a buggy cleanup job.
ALTER TABLE question ADD COLUMN media_asset_id bigint;
ALTER TABLE answer ADD COLUMN media_asset_id bigint;
ALTER TABLE question ADD CONSTRAINT question_media_asset_id_fkey
  FOREIGN KEY (media_asset_id) REFERENCES media_asset (id) ON DELETE RESTRICT NOT VALID;
ALTER TABLE answer ADD CONSTRAINT answer_media_asset_id_fkey
  FOREIGN KEY (media_asset_id) REFERENCES media_asset (id) ON DELETE RESTRICT NOT VALID;
CREATE INDEX question_media_asset_id_idx ON question (media_asset_id);
CREATE INDEX answer_media_asset_id_idx ON answer (media_asset_id);
