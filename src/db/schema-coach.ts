/** Row types of the AI coach tables (migration 0070). */
import type { CreatedAt, Default, Id, Json, Timestamp } from './column-types.ts';

export interface QuestionCoachingSessionsTable {
  id: Id;
  session_key: string;
  fingerprint_hash: string;
  ip_hash: string;
  expert_profile_id: number | null;
  question_id: number | null;
  title: string;
  question_text: string | null;
  tier_reached: Default<number>;
  provider: 'rules' | 'openai';
  validation: Json;
  analysis: Json | null;
  responses: Json | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  linked_at: Timestamp | null;
}

export interface CoachingRateLimitsTable {
  scope: 'fingerprint' | 'ip';
  key_hash: string;
  /** The UTC day, written as 'YYYY-MM-DD' (drivers differ in how they read a date: never read back). */
  day: string;
  requests: Default<number>;
  updated_at: CreatedAt;
}
