-- Deprecate: from this release on, the media cleanup neither reads nor writes media_cleanup_run.lease_until.
-- One apply runs at a time by a PostgreSQL session advisory lock (src/media/cleanup-lock.ts), which
-- dies with its holder, so a crashed run needs no lease to expire before it is resumed. The column
-- stays one more release so the previous version keeps working during a rolling deploy; a later
-- contract migration drops it.
COMMENT ON COLUMN media_cleanup_run.lease_until IS 'deprecated by 0098: runs are serialised by an advisory lock';
