/** Row types of the Xano import bookkeeping tables (migration 0080; 0097 in schema-import-files.ts). */
import type { CreatedAt, Default, Id, Json, JsonWithDefault, Timestamp } from './column-types.ts';

export interface ImportRunTable {
  source: string;
  table_name: string;
  status: Default<'running' | 'done'>;
  pass_started_at: Timestamp;
  since: Timestamp | null;
  last_id: Default<number>;
  last_page: Default<number>;
  last_done_started_at: Timestamp | null;
  source_total: number | null;
  inserted: Default<number>;
  updated: Default<number>;
  unchanged: Default<number>;
  rejected: Default<number>;
  repairs: JsonWithDefault;
  updated_at: CreatedAt;
}

export interface ImportRejectedTable {
  id: Id;
  source: string;
  table_name: string;
  legacy_id: string;
  raw: Json;
  reason: string;
  created_at: CreatedAt;
}

export interface ImportIssueTable {
  id: Id;
  source: string;
  table_name: string;
  legacy_id: string;
  kind: string;
  detail: string;
  created_at: CreatedAt;
}

export interface ImportMediaOwnerTable {
  source: string;
  owner_type: 'question' | 'answer';
  owner_id: number;
  media_asset_id: number;
}

export interface ImportKeyMapTable {
  source: string;
  table_name: string;
  legacy_key: string;
  id: number;
}
