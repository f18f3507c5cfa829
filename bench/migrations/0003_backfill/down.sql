COMMENT ON COLUMN bench_item.label_upper IS NULL;
