/** Row types of the import's file tables (migration 0097); apart so the column-use lint of 0007 is not misled. */
import type { CreatedAt, Default } from './column-types.ts';

/** Migration 0097: legacy file URLs, kept external or copied into our storage. */
export interface ImportFileTable {
  source: string;
  source_url: string;
  kind: 'video' | 'object';
  target_key: string;
  target_url: string | null;
  status: Default<'external' | 'copied' | 'failed'>;
  sha256: string | null;
  size: number | null;
  attempts: Default<number>;
  error: string | null;
  updated_at: CreatedAt;
}

export interface ImportFileRefTable {
  source: string;
  source_url: string;
  ref_table: 'media_asset' | 'question' | 'answer' | 'expert_profile';
  ref_id: number;
}
