-- Deprecated column dropped after the engine copied it to migration_backup (before the lock).
ALTER TABLE bench_item DROP COLUMN legacy;
