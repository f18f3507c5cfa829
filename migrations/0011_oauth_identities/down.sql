DROP INDEX CONCURRENTLY user_linkedin_id_key;
DROP INDEX CONCURRENTLY user_google_sub_key;
