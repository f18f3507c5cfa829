DROP TABLE feature_flag_audit;
DROP TABLE feature_flags;
