/** Row types of the media tables: upload sessions, stored objects, cleanup runs and their log. */
import type { ColumnType } from 'kysely';
import type { Default, Id, Json, Timestamp } from './column-types.ts';

export interface UploadSessionTable {
  id: Id;
  kind: 'video' | 'audio' | 'attachment' | 'profile_picture';
  target: 'storage' | 'video';
  object_key: string;
  user_id: number | null;
  ip_hash: string | null;
  content_type: string | null;
  max_bytes: number | null;
  size_bytes: number | null;
  original_name: string | null;
  status: Default<'pending' | 'uploaded' | 'registered' | 'cleaned'>;
  media_asset_id: number | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  uploaded_at: Timestamp | null;
  registered_at: Timestamp | null;
}

export interface MediaAssetObjectTable {
  id: Id;
  media_asset_id: number;
  target: 'storage' | 'video';
  object_key: string;
  segment_index: Default<number>;
}

export interface MediaCleanupRunTable {
  id: Id;
  mode: 'dry_run' | 'apply';
  status: Default<'running' | 'completed' | 'refused_breaker' | 'interrupted' | 'failed'>;
  options: ColumnType<unknown, string | undefined, string>;
  phase: Default<'plan' | 'execute' | 'purge' | 'tokens' | 'done'>;
  cursor: ColumnType<unknown, string | undefined, string>;
  report: ColumnType<unknown, string | undefined, string>;
  /** Unused since runs are serialised by an advisory lock (src/media/cleanup-lock.ts); kept until a contract migration drops it. */
  lease_until: Timestamp | null;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

export type CleanupOutcome = 'deleted' | 'skipped_referenced' | 'skipped_in_flight' | 'skipped_locked' | 'skipped_young' | 'skipped_gone';

export interface MediaCleanupCandidateTable {
  id: Id;
  run_id: number;
  kind: 'asset' | 'object';
  target: 'storage' | 'video' | null;
  object_key: string | null;
  media_asset_id: number | null;
  reason: string;
  size_bytes: number | null;
  outcome: CleanupOutcome | null;
}

export interface MediaDeletionLogTable {
  id: Id;
  run_id: number;
  target: 'storage' | 'video';
  object_key: string;
  quarantine_key: string | null;
  media_asset_id: number | null;
  asset_row: Json | null;
  reason: string;
  size_bytes: number | null;
  state: 'pending' | 'quarantined' | 'restored' | 'purged';
  created_at: Timestamp;
  restored_at: Timestamp | null;
  purged_at: Timestamp | null;
}
