-- Google and LinkedIn sign-in look users up by the provider's subject id before the e-mail. Unique:
-- one provider account belongs to one user, even when two first sign-ins race. Partial indexes:
-- most users have no such id.
CREATE UNIQUE INDEX CONCURRENTLY user_google_sub_key ON "user" (google_sub) WHERE google_sub IS NOT NULL;
CREATE UNIQUE INDEX CONCURRENTLY user_linkedin_id_key ON "user" ((linkedin_oauth ->> 'id')) WHERE linkedin_oauth ->> 'id' IS NOT NULL;
