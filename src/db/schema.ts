/**
 * Row types of the schema at the head migration, for Kysely. When a migration changes a table,
 * change its interface here in the same commit (the schema test compares the two).
 */
import type { ColumnType, Generated } from 'kysely';

/** A timestamptz: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamptz column with a default. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json = ColumnType<unknown, string, string>;
type Id = Generated<number>;
type Default<T> = ColumnType<T, T | undefined, T>;

export interface UserTable {
  id: Id;
  email: string;
  name: Default<string>;
  fname: string | null;
  lname: string | null;
  address: string | null;
  city: string | null;
  zip: string | null;
  country: string | null;
  password: string | null;
  role: Default<string>;
  auth_provider: 'google' | 'linkedin' | 'magic_link';
  auth_provider_id: string | null;
  google_sub: string | null;
  google_oauth: Json | null;
  linkedin_oauth: Json | null;
  token_version: Default<number>;
  last_login_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface ExpertProfileTable {
  id: Id;
  user_id: number;
  handle: string | null;
  bio: string | null;
  price_cents: Default<number>;
  sla_hours: Default<number>;
  currency: Default<'EUR' | 'USD'>;
  public: Default<boolean>;
  status: string | null;
  avatar_url: string | null;
  professional_title: string | null;
  tagline: string | null;
  expertise: Json | null;
  socials: Json | null;
  charity_percentage: Default<number>;
  selected_charity: string | null;
  accepting_questions: Default<boolean>;
  daily_digest_enabled: Default<boolean>;
  tier1_enabled: Default<boolean>;
  tier1_price_cents: Default<number>;
  tier1_sla_hours: Default<number>;
  tier1_description: Default<string>;
  tier2_enabled: Default<boolean>;
  tier2_pricing_mode: Default<string>;
  tier2_min_price_cents: Default<number>;
  tier2_max_price_cents: Default<number>;
  tier2_auto_decline_below_cents: number | null;
  tier2_sla_hours: Default<number>;
  tier2_description: Default<string>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export type QuestionStatus = 'paid' | 'declined' | 'closed' | 'refunded' | 'answered' | 'draft' | 'pending_payment' | 'accepted';
export type PricingStatus = 'paid' | 'offer_pending' | 'offer_accepted' | 'offer_declined' | 'offer_expired' | 'refunded';

export interface QuestionTable {
  id: Id;
  expert_profile_id: number;
  payer_email: string;
  payer_first_name: string | null;
  payer_last_name: string | null;
  title: string;
  text: string | null;
  attachments: Json | null;
  media_asset_id: number | null;
  price_cents: number;
  currency: Default<string>;
  status: QuestionStatus;
  question_tier: Default<'quick_consult' | 'deep_dive'>;
  pricing_status: Default<PricingStatus>;
  proposed_price_cents: number | null;
  final_price_cents: number | null;
  asker_message: string | null;
  sla_hours_snapshot: number | null;
  sla_start_time: Timestamp | null;
  sla_deadline: Timestamp | null;
  sla_missed: Default<boolean>;
  offer_expires_at: Timestamp | null;
  decline_reason: string | null;
  expert_reviewed_at: Timestamp | null;
  playback_token_hash: string | null;
  hidden: Default<boolean>;
  payment_intent_id: string | null;
  checkout_session_id: string | null;
  paid_at: Timestamp | null;
  recorded_at: Timestamp | null;
  answered_at: Timestamp | null;
  refunded_at: Timestamp | null;
  followup_parent_id: number | null;
  created_at: CreatedAt;
}

export interface AnswerTable {
  id: Id;
  question_id: number;
  user_id: number;
  text_response: string | null;
  media_asset_id: number | null;
  attachments: Json | null;
  sent_at: Timestamp | null;
  rating: number | null;
  feedback_text: string | null;
  feedback_at: Timestamp | null;
  allow_testimonial: Default<boolean>;
  view_count: Default<number>;
  created_at: CreatedAt;
}

export interface MediaAssetTable {
  id: Id;
  provider: 'cloudflare_stream' | 'cloudflare_r2';
  asset_id: string;
  duration_sec: number | null;
  status: Default<'processing' | 'uploading' | 'ready' | 'failed'>;
  url: string | null;
  metadata: Json | null;
  segment_index: number | null;
  created_at: CreatedAt;
}

export interface PaymentTable {
  id: Id;
  question_id: number | null;
  stripe_payment_intent_id: string;
  amount_cents: number;
  currency: Default<string>;
  status: 'authorized' | 'accepted' | 'captured' | 'refunded' | 'failed';
  question_type: string | null;
  authorized_at: Timestamp | null;
  accepted_at: Timestamp | null;
  captured_at: Timestamp | null;
  refunded_at: Timestamp | null;
  capture_attempted: Default<boolean>;
  capture_failed: Default<boolean>;
  retry_count: Default<number>;
  error_message: string | null;
  expert_pseudonym: string | null;
  payer_pseudonym: string | null;
  retain_until: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface MagicLinkTokenTable {
  id: Id;
  email: string;
  token: string;
  verification_code: string | null;
  user_id: number | null;
  expires_at: Timestamp;
  used: Default<boolean>;
  used_at: Timestamp | null;
  ip_address: string | null;
  created_at: CreatedAt;
}

export interface UtmCampaignTable {
  id: Id;
  expert_profile_id: number;
  name: string;
  url_slug: string | null;
  utm_source: string;
  utm_medium: string | null;
  utm_campaign: string;
  utm_content: string | null;
  utm_term: string | null;
  status: Default<'active' | 'paused' | 'archived'>;
  total_visits: Default<number>;
  total_questions: Default<number>;
  total_revenue_cents: Default<number>;
  conversion_rate: Default<number>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  last_visit_at: Timestamp | null;
}

export interface CampaignVisitTable {
  id: Id;
  campaign_id: number;
  expert_profile_id: number;
  visitor_ip_hash: string | null;
  referrer: string | null;
  user_agent: string | null;
  country: string | null;
  device_type: Default<'mobile' | 'tablet' | 'desktop' | 'unknown'>;
  converted_to_question: Default<boolean>;
  question_id: number | null;
  visited_at: CreatedAt;
  created_at: CreatedAt;
}

export interface ErasureAuditTable {
  id: Id;
  deletion_id: string;
  subject_kind: 'expert' | 'user' | 'asker';
  subject_pseudonym: string;
  idempotency_key: string | null;
  counts: Default<Json>;
  requested_at: CreatedAt;
  completed_at: Timestamp | null;
}

export interface FileDeletionOutboxTable {
  id: Id;
  erasure_id: number | null;
  target: 'storage' | 'video';
  object_key: string;
  attempts: Default<number>;
  next_attempt_at: CreatedAt;
  last_error: string | null;
  done_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface EmailOutboxTable {
  id: Id;
  template: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  dedupe_key: string | null;
  status: Default<'pending' | 'sending' | 'sent' | 'failed'>;
  attempts: Default<number>;
  next_attempt_at: CreatedAt;
  last_error: string | null;
  provider_message_id: string | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
}

export interface DB {
  user: UserTable;
  expert_profile: ExpertProfileTable;
  question: QuestionTable;
  answer: AnswerTable;
  media_asset: MediaAssetTable;
  payment: PaymentTable;
  magic_link_token: MagicLinkTokenTable;
  utm_campaign: UtmCampaignTable;
  campaign_visit: CampaignVisitTable;
  erasure_audit: ErasureAuditTable;
  file_deletion_outbox: FileDeletionOutboxTable;
  email_outbox: EmailOutboxTable;
}
