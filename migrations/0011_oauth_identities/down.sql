DROP INDEX user_linkedin_id_key;
DROP INDEX user_google_sub_key;
