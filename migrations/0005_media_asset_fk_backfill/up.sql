-- Backfill: copy every owner link (media_asset.owner_type/owner_id) into the parent's FK.
-- Legacy recordings are one row each; should an owner have several rows, the oldest wins.
UPDATE question q
SET media_asset_id = m.id
FROM (
  SELECT DISTINCT ON (owner_id) id, owner_id
  FROM media_asset
  WHERE owner_type = 'question'
  ORDER BY owner_id, id
) m
WHERE m.owner_id = q.id AND q.media_asset_id IS NULL;

UPDATE answer a
SET media_asset_id = m.id
FROM (
  SELECT DISTINCT ON (owner_id) id, owner_id
  FROM media_asset
  WHERE owner_type = 'answer'
  ORDER BY owner_id, id
) m
WHERE m.owner_id = a.id AND a.media_asset_id IS NULL;

ALTER TABLE question VALIDATE CONSTRAINT question_media_asset_id_fkey;
ALTER TABLE answer VALIDATE CONSTRAINT answer_media_asset_id_fkey;
