-- Deprecate: from this release on, the app neither reads nor writes the owner columns.
-- The columns stay one more release so that the previous version keeps working during rollout.
COMMENT ON COLUMN media_asset.owner_type IS 'deprecated by 0006: use question.media_asset_id / answer.media_asset_id';
COMMENT ON COLUMN media_asset.owner_id IS 'deprecated by 0006: use question.media_asset_id / answer.media_asset_id';
