-- The owner columns still hold the truth until 0007, so clearing the copies loses nothing.
UPDATE question q SET media_asset_id = NULL
FROM media_asset m
WHERE m.id = q.media_asset_id AND m.owner_type = 'question' AND m.owner_id = q.id;
UPDATE answer a SET media_asset_id = NULL
FROM media_asset m
WHERE m.id = a.media_asset_id AND m.owner_type = 'answer' AND m.owner_id = a.id;
