COMMENT ON COLUMN media_asset.owner_type IS NULL;
COMMENT ON COLUMN media_asset.owner_id IS NULL;
