ALTER TABLE answer DROP COLUMN media_asset_id;
ALTER TABLE question DROP COLUMN media_asset_id;
