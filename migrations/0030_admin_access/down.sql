DROP TABLE admin_audit_log;
DROP TABLE admin_users;
