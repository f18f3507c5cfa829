DROP INDEX CONCURRENTLY bench_item_score_idx;
ALTER TABLE bench_item ALTER COLUMN label DROP NOT NULL;
ALTER TABLE bench_item DROP CONSTRAINT bench_item_label_not_null;
ALTER TABLE bench_item DROP CONSTRAINT bench_item_owner_fkey;
ALTER TABLE bench_item DROP CONSTRAINT bench_item_score_check;
ALTER TABLE bench_item DROP COLUMN label_upper, DROP COLUMN active, DROP COLUMN note;
