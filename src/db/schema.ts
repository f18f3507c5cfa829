/**
 * Row types of the schema at the head migration, for Kysely. When a migration changes a table,
 * change its interface here in the same commit (the schema test compares the two).
 */
import type { ColumnType } from 'kysely';
import type { CreatedAt, Default, Id, Json, Timestamp } from './column-types.ts';
import type * as Admin from './schema-admin.ts';
import type * as Coach from './schema-coach.ts';
import type * as Import from './schema-import.ts';
import type * as ImportFiles from './schema-import-files.ts';
import type * as Media from './schema-media.ts';

export type * from './schema-admin.ts';
export type * from './schema-coach.ts';
export type * from './schema-import.ts';
export type * from './schema-media.ts';

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

export type QuestionStatus =
  | 'paid'
  | 'declined'
  | 'closed'
  | 'refunded'
  | 'answered'
  | 'draft'
  | 'pending_payment'
  | 'accepted'
  | 'hold_expired';
type PricingStatus = 'paid' | 'offer_pending' | 'offer_accepted' | 'offer_declined' | 'offer_expired' | 'refunded';

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
  refund_reason: string | null;
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
  /** A provider call decided in the transaction and done after commit (retried until confirmed). */
  pending_action: 'capture' | 'cancel' | null;
  action_due_at: Timestamp | null;
  /** When the provider ends the card hold on its own (0099); null = unknown (legacy rows). */
  capture_before: Timestamp | null;
  /** The hold ends before the question's answer deadline (flagged at creation, never refused). */
  hold_short: Default<boolean>;
  /** The expert was warned that the hold of the unanswered question ends within 24 hours. */
  hold_warning_sent_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface SimulatedPaymentIntentTable {
  id: string;
  amount_cents: number;
  currency: string;
  /** One of Stripe's PaymentIntent states (`IntentStatus` of src/payment-provider, which reads this table). */
  status: string;
  capture_method: Default<'manual' | 'automatic'>;
  client_secret: string;
  description: string | null;
  metadata: ColumnType<unknown, string | undefined, string>;
  amount_received: Default<number>;
  cancellation_reason: string | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

interface ReviewTokenTombstoneTable {
  token_hash: string;
  reason: 'expert_deleted' | 'question_deleted';
  removed_at: CreatedAt;
}

interface MagicLinkTokenTable {
  id: Id;
  email: string;
  /** Deprecated (0010): raw legacy token; never written since, NULL on new rows. */
  token: string | null;
  /** Deprecated (0010): raw legacy code; never written since, NULL on new rows. */
  verification_code: string | null;
  token_hash: string | null;
  code_hash: string | null;
  ip_hash: string | null;
  /** Wrong codes from the network that requested this one (ip_hash). */
  failed_attempts: Default<number>;
  /** Wrong codes from every other network (0095): a stranger cannot spend the owner's budget. */
  foreign_failed_attempts: Default<number>;
  user_id: number | null;
  expires_at: Timestamp;
  used: Default<boolean>;
  used_at: Timestamp | null;
  /** Deprecated (0010): raw legacy IP; never written since, NULL on new rows. */
  ip_address: string | null;
  created_at: CreatedAt;
}

interface UtmCampaignTable {
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

interface CampaignVisitTable {
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
  counts: ColumnType<unknown, string | undefined, string>;
  requested_at: CreatedAt;
  completed_at: Timestamp | null;
}

export interface FileDeletionOutboxTable {
  id: Id;
  erasure_id: number | null;
  /** payment_intent (0060): scrub the provider's copy of an erased person's data; object_key = intent id. */
  target: 'storage' | 'video' | 'payment_intent';
  object_key: string;
  attempts: Default<number>;
  /** @deprecated by 0096: the file-delete job schedules the next attempt; dropped by a later contract. */
  next_attempt_at: CreatedAt;
  last_error: string | null;
  done_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface PrivacyCodeTable {
  id: Id;
  purpose: 'delete_account' | 'asker_erasure';
  user_id: number | null;
  email: string;
  code_hash: string;
  failed_attempts: Default<number>;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

interface AccountExportTable {
  id: Id;
  user_id: number;
  token_hash: string;
  object_key: string;
  size_bytes: number;
  file_count: number;
  created_at: Timestamp;
  expires_at: Timestamp;
  downloaded_at: Timestamp | null;
}

interface EmailOutboxTable {
  id: Id;
  template: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  dedupe_key: string | null;
  status: Default<'pending' | 'sending' | 'sent' | 'failed'>;
  attempts: Default<number>;
  /** @deprecated by 0096: the email-deliver job schedules the next attempt; dropped by a later contract. */
  next_attempt_at: CreatedAt;
  last_error: string | null;
  provider_message_id: string | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
}

interface JobRunTable {
  id: Id;
  job: string;
  trigger: 'schedule' | 'cli' | 'queue';
  dry_run: Default<boolean>;
  status: 'running' | 'succeeded' | 'failed' | 'dead';
  attempt: Default<number>;
  summary: Json | null;
  error: string | null;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

/** A provider event already handled (0100): a redelivery of the same id changes nothing. */
interface ProcessedEventTable {
  provider: 'simulated' | 'stripe';
  event_id: string;
  type: string;
  applied: boolean;
  processed_at: CreatedAt;
}

export interface DB {
  user: UserTable;
  expert_profile: ExpertProfileTable;
  question: QuestionTable;
  answer: AnswerTable;
  media_asset: MediaAssetTable;
  media_asset_object: Media.MediaAssetObjectTable;
  upload_session: Media.UploadSessionTable;
  media_cleanup_run: Media.MediaCleanupRunTable;
  media_cleanup_candidate: Media.MediaCleanupCandidateTable;
  media_deletion_log: Media.MediaDeletionLogTable;
  payment: PaymentTable;
  processed_event: ProcessedEventTable;
  simulated_payment_intent: SimulatedPaymentIntentTable;
  review_token_tombstone: ReviewTokenTombstoneTable;
  magic_link_token: MagicLinkTokenTable;
  utm_campaign: UtmCampaignTable;
  campaign_visit: CampaignVisitTable;
  erasure_audit: ErasureAuditTable;
  file_deletion_outbox: FileDeletionOutboxTable;
  privacy_code: PrivacyCodeTable;
  account_export: AccountExportTable;
  email_outbox: EmailOutboxTable;
  job_run: JobRunTable;
  admin_users: Admin.AdminUsersTable;
  admin_audit_log: Admin.AdminAuditLogTable;
  notification_config: Admin.NotificationConfigTable;
  feature_flags: Admin.FeatureFlagsTable;
  feature_flag_audit: Admin.FeatureFlagAuditTable;
  feedback: Admin.FeedbackTable;
  feedback_attachment: Admin.FeedbackAttachmentTable;
  feedback_comment: Admin.FeedbackCommentTable;
  feedback_tag: Admin.FeedbackTagTable;
  feedback_tag_link: Admin.FeedbackTagLinkTable;
  question_coaching_sessions: Coach.QuestionCoachingSessionsTable;
  coaching_rate_limits: Coach.CoachingRateLimitsTable;
  import_run: Import.ImportRunTable;
  import_rejected: Import.ImportRejectedTable;
  import_issue: Import.ImportIssueTable;
  import_media_owner: Import.ImportMediaOwnerTable;
  import_key_map: Import.ImportKeyMapTable;
  import_file: ImportFiles.ImportFileTable;
  import_file_ref: ImportFiles.ImportFileRefTable;
}
