-- Each statement the safe way: catalog-only ACCESS EXCLUSIVE, validation and index builds
-- under locks that let writes through.
ALTER TABLE bench_item ADD COLUMN note text;
ALTER TABLE bench_item ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE bench_item ADD COLUMN label_upper text;
ALTER TABLE bench_item ADD CONSTRAINT bench_item_score_check CHECK (score >= 0) NOT VALID;
ALTER TABLE bench_item ADD CONSTRAINT bench_item_owner_fkey FOREIGN KEY (owner_id) REFERENCES bench_owner (id) ON DELETE CASCADE NOT VALID;
ALTER TABLE bench_item ADD CONSTRAINT bench_item_label_not_null CHECK (label IS NOT NULL) NOT VALID;
ALTER TABLE bench_item VALIDATE CONSTRAINT bench_item_score_check;
ALTER TABLE bench_item VALIDATE CONSTRAINT bench_item_owner_fkey;
ALTER TABLE bench_item VALIDATE CONSTRAINT bench_item_label_not_null;
ALTER TABLE bench_item ALTER COLUMN label SET NOT NULL;
CREATE INDEX CONCURRENTLY bench_item_score_idx ON bench_item (score);
