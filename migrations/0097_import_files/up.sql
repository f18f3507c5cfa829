-- Files the Xano import found at the legacy providers' URLs (Cloudflare Stream, R2, listed public
-- hosts). Without --copy-files they stay 'external' (served from the provider); with it each is
-- streamed into our storage and its references rewritten. One row per URL, resumable by status.
CREATE TABLE import_file (
  source text NOT NULL,
  source_url text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('video', 'object')),
  target_key text NOT NULL,
  target_url text,
  status text NOT NULL DEFAULT 'external' CHECK (status IN ('external', 'copied', 'failed')),
  sha256 text,
  size bigint,
  attempts integer NOT NULL DEFAULT 0,
  error text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, source_url)
);

-- The imported rows that name a file (the owner a failed fetch is reported with, and the rows
-- rewritten once the copy is stored). No foreign key: the rows may be erased later (the file row
-- then only points nowhere, and the rewrite skips rows that are gone).
CREATE TABLE import_file_ref (
  source text NOT NULL,
  source_url text NOT NULL,
  ref_table text NOT NULL CHECK (ref_table IN ('media_asset', 'question', 'answer', 'expert_profile')),
  ref_id bigint NOT NULL,
  PRIMARY KEY (source, source_url, ref_table, ref_id)
);
