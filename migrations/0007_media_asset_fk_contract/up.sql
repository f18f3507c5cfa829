-- Contract: the owner columns were deprecated in 0006 and are no longer used.
DROP INDEX media_asset_owner_idx;
ALTER TABLE media_asset DROP COLUMN owner_type, DROP COLUMN owner_id;
