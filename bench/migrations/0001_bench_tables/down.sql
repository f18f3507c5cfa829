DROP TABLE bench_item;
DROP TABLE bench_owner;
