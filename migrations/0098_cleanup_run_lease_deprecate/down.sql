COMMENT ON COLUMN media_cleanup_run.lease_until IS NULL;
