-- The data change is the declared backfill (backfill.yaml).
COMMENT ON COLUMN bench_item.label_upper IS 'filled by 0003';
