ALTER TABLE bench_item ADD COLUMN legacy text;
