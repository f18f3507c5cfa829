-- The owner columns still hold the truth until 0007, so clearing the copies loses nothing.
UPDATE question q SET media_asset_id = NULL
FROM media_asset m
WHERE m.id = q.media_asset_id AND m.owner_type = 'question' AND m.owner_id = q.id;
UPDATE answer a SET media_asset_id = NULL
FROM media_asset m
WHERE m.id = a.media_asset_id AND m.owner_type = 'answer' AND m.owner_id = a.id;
-- Back to the state 0004 left: the foreign keys exist but are not validated (PostgreSQL cannot
-- un-validate a constraint, so it is re-created NOT VALID: a catalog change, no scan).
ALTER TABLE question DROP CONSTRAINT question_media_asset_id_fkey,
  ADD CONSTRAINT question_media_asset_id_fkey FOREIGN KEY (media_asset_id) REFERENCES media_asset (id) ON DELETE RESTRICT NOT VALID;
ALTER TABLE answer DROP CONSTRAINT answer_media_asset_id_fkey,
  ADD CONSTRAINT answer_media_asset_id_fkey FOREIGN KEY (media_asset_id) REFERENCES media_asset (id) ON DELETE RESTRICT NOT VALID;
