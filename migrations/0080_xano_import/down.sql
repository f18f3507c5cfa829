DROP TABLE import_media_owner;
DROP TABLE import_issue;
DROP TABLE import_rejected;
DROP TABLE import_run;
