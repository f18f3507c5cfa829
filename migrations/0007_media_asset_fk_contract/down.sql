-- Re-add the owner columns and fill them back from the foreign keys (the ownership the app kept).
ALTER TABLE media_asset ADD COLUMN owner_type text, ADD COLUMN owner_id bigint;
UPDATE media_asset m SET owner_type = 'question', owner_id = q.id
FROM question q WHERE q.media_asset_id = m.id;
UPDATE media_asset m SET owner_type = 'answer', owner_id = a.id
FROM answer a WHERE a.media_asset_id = m.id;
-- Rows no parent points at (an owner's second recording, whose link the FK-only model cannot
-- hold) get their owner back from the backup the engine took before the up dropped the columns.
SELECT migration_backup.restore_columns('media_asset', ARRAY['owner_type', 'owner_id']);
ALTER TABLE media_asset ADD CONSTRAINT media_asset_owner_type_check
  CHECK (owner_type IN ('question', 'answer')) NOT VALID;
ALTER TABLE media_asset VALIDATE CONSTRAINT media_asset_owner_type_check;
CREATE INDEX media_asset_owner_idx ON media_asset (owner_type, owner_id);
-- As 0006 left them: deprecated.
COMMENT ON COLUMN media_asset.owner_type IS 'deprecated by 0006: use question.media_asset_id / answer.media_asset_id';
COMMENT ON COLUMN media_asset.owner_id IS 'deprecated by 0006: use question.media_asset_id / answer.media_asset_id';
