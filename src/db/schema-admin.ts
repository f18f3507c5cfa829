/** Row types of the admin tables: admins and their audit log, feature flags, feedback. */
import type { CreatedAt, Default, Id, Json, JsonWithDefault, Timestamp } from './column-types.ts';

export type AdminRole = 'super_admin' | 'support_admin';

export interface AdminUsersTable {
  id: Id;
  user_id: number;
  role: AdminRole;
  disabled: Default<boolean>;
  token_version: Default<number>;
  last_login_at: Timestamp | null;
  sessions_revoked_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

/** The admin console's notification settings: a single row, id = 1. */
export interface NotificationConfigTable {
  id: number;
  alert_emails: Default<string[]>;
  sla_threshold: Default<number>;
  moderation_threshold: Default<number>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface AdminAuditLogTable {
  id: Id;
  admin_user_id: number | null;
  actor: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: JsonWithDefault;
  request_id: string | null;
  created_at: CreatedAt;
}

export interface FeatureFlagsTable {
  id: Id;
  key: string;
  name: string;
  description: Default<string>;
  enabled: Default<boolean>;
  min_plan_level: Default<number>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface FeatureFlagAuditTable {
  id: Id;
  flag_id: number | null;
  flag_key: string;
  action: 'create' | 'update' | 'delete';
  admin_user_id: number | null;
  before: Json | null;
  after: Json | null;
  created_at: CreatedAt;
}

export type FeedbackType = 'bug' | 'feature' | 'feedback' | 'question' | 'other';
export type FeedbackStatus = 'new' | 'in_progress' | 'resolved' | 'archived' | 'duplicate' | 'wont_fix';
export type FeedbackPriority = 'low' | 'medium' | 'high' | 'critical';

export interface FeedbackTable {
  id: Id;
  type: FeedbackType;
  message: string;
  rating: number | null;
  email: string | null;
  wants_followup: Default<boolean>;
  session_id: string | null;
  page_url: string | null;
  user_agent: string | null;
  user_id: number | null;
  context: JsonWithDefault;
  status: Default<FeedbackStatus>;
  priority: Default<FeedbackPriority>;
  jira_issue_key: string | null;
  assigned_admin_id: number | null;
  resolved_at: Timestamp | null;
  deleted_at: Timestamp | null;
  deleted_by_admin_id: number | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface FeedbackAttachmentTable {
  id: Id;
  feedback_id: number;
  name: string;
  url: string;
  size_bytes: number | null;
  content_type: string | null;
  created_at: CreatedAt;
}

export interface FeedbackCommentTable {
  id: Id;
  feedback_id: number;
  admin_user_id: number | null;
  body: string;
  created_at: CreatedAt;
}

export interface FeedbackTagTable {
  id: Id;
  name: string;
  created_at: CreatedAt;
}

export interface FeedbackTagLinkTable {
  feedback_id: number;
  tag_id: number;
  created_at: CreatedAt;
}
