DROP TABLE import_key_map;
