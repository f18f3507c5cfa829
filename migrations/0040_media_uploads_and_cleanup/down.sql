-- Upload sessions, segment objects and cleanup history are bookkeeping: the media rows and the
-- stored files themselves are untouched by the rollback.
DROP TABLE media_deletion_log;
DROP TABLE media_cleanup_candidate;
DROP TABLE media_cleanup_run;
DROP INDEX media_asset_asset_id_idx;
DROP INDEX media_asset_created_at_idx;
DROP TABLE media_asset_object;
DROP TABLE upload_session;
