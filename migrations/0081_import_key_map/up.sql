-- Our ids for legacy rows keyed by something else than an integer (the admin database's uuids).
CREATE TABLE import_key_map (
  source text NOT NULL,
  table_name text NOT NULL,
  legacy_key text NOT NULL,
  id bigint NOT NULL,
  PRIMARY KEY (source, table_name, legacy_key)
);
