DROP TABLE import_file_ref;
DROP TABLE import_file;
