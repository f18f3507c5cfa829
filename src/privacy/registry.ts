/**
 * The written-down decisions of the erasure (privacy-cleanup-security.md, account deletion 4–5).
 *
 * FK_DECISIONS: every foreign key of the schema, with the ON DELETE the database enforces and what
 * happens to the referencing rows when the referenced row belongs to an erased person. A test
 * compares this list with pg_constraint: a migration that adds a foreign key fails the build until
 * its decision is recorded here, and a key without an explicit ON DELETE (NO ACTION) is refused.
 *
 * PERSONAL_COLUMNS: columns that hold personal data without a foreign key to the person (an
 * e-mail typed by an asker, an address in a JSON payload, an IP hash). The residue check searches
 * them for the erased person's identifiers after every erasure.
 */
import type { OnDelete } from './catalog.ts';

/**
 * - `deleted`: the referencing rows are erased with the referenced one (by the cascade, or by the
 *   erasure explicitly before the parent: RESTRICT / SET NULL keys the erasure handles itself);
 * - `kept`: the referencing rows survive on purpose, unlinked by SET NULL (and pseudonymised);
 * - `owned`: the referenced row belongs to the referencing one (a recording of a question) and
 *   is erased with it, after it (RESTRICT keeps a live reference from ever being deleted);
 * - `unrelated`: no personal data flows through this key (job bookkeeping, feature flags).
 */
type RowFate = 'deleted' | 'kept' | 'owned' | 'unrelated';

export interface FkDecision {
  onDelete: Exclude<OnDelete, 'no action'>;
  rows: RowFate;
  why: string;
}

export const FK_DECISIONS: Readonly<Record<string, FkDecision>> = {
  expert_profile_user_id_fkey: { onDelete: 'cascade', rows: 'deleted', why: 'the profile is the account' },
  question_expert_profile_id_fkey: {
    onDelete: 'cascade',
    rows: 'deleted',
    why: 'questions received are content of the account; askers are told and their holds released',
  },
  answer_question_id_fkey: { onDelete: 'cascade', rows: 'deleted', why: 'an answer has no meaning without its question' },
  answer_user_id_fkey: { onDelete: 'cascade', rows: 'deleted', why: 'answers written by the account' },
  question_followup_parent_id_fkey: { onDelete: 'set null', rows: 'deleted', why: 'follow-ups are questions of the same expert' },
  question_media_asset_id_fkey: {
    onDelete: 'restrict',
    rows: 'owned',
    why: 'a recording belongs to its question: erased after it; RESTRICT keeps referenced media from any delete',
  },
  answer_media_asset_id_fkey: { onDelete: 'restrict', rows: 'owned', why: 'a recording belongs to its answer: erased after it' },
  media_asset_object_media_asset_id_fkey: {
    onDelete: 'cascade',
    rows: 'deleted',
    why: 'the object list of a media row; each object gets a deletion-outbox row first',
  },
  upload_session_media_asset_id_fkey: {
    onDelete: 'set null',
    rows: 'deleted',
    why: 'the erasure deletes the sessions of erased media (they hold the uploader IP hash); SET NULL serves the cleanup job',
  },
  upload_session_user_id_fkey: {
    onDelete: 'set null',
    rows: 'deleted',
    why: 'the erasure deletes the account’s upload sessions and their files; SET NULL serves other deletions',
  },
  payment_question_id_fkey: {
    onDelete: 'set null',
    rows: 'kept',
    why: 'payments are kept for accounting, pseudonymised, with retain_until; the retention job deletes them then',
  },
  campaign_visit_question_id_fkey: {
    onDelete: 'set null',
    rows: 'kept',
    why: 'a visit belongs to the campaign’s expert; it only loses the link to a removed question',
  },
  campaign_visit_campaign_id_fkey: { onDelete: 'cascade', rows: 'deleted', why: 'visits are marketing data of the campaign' },
  campaign_visit_expert_profile_id_fkey: { onDelete: 'cascade', rows: 'deleted', why: 'visits of the expert’s page' },
  utm_campaign_expert_profile_id_fkey: { onDelete: 'cascade', rows: 'deleted', why: 'campaigns of the expert' },
  magic_link_token_user_id_fkey: { onDelete: 'cascade', rows: 'deleted', why: 'sign-in tokens (also matched by e-mail)' },
  admin_users_user_id_fkey: { onDelete: 'cascade', rows: 'deleted', why: 'a deleted account loses its admin rights' },
  admin_audit_log_admin_user_id_fkey: {
    onDelete: 'set null',
    rows: 'kept',
    why: 'the admin audit trail outlives the admin; `actor` is a label, no name or e-mail',
  },
  feature_flag_audit_admin_user_id_fkey: { onDelete: 'set null', rows: 'kept', why: 'flag history outlives the admin' },
  feedback_assigned_admin_id_fkey: { onDelete: 'set null', rows: 'kept', why: 'feedback is unassigned when its admin goes' },
  feedback_deleted_by_admin_id_fkey: { onDelete: 'set null', rows: 'kept', why: 'who archived a feedback is not kept' },
  feedback_comment_admin_user_id_fkey: { onDelete: 'set null', rows: 'kept', why: 'triage notes stay with the feedback' },
  feedback_user_id_fkey: {
    onDelete: 'set null',
    rows: 'deleted',
    why: 'the erasure deletes the account’s feedback (and feedback sent with its e-mail); SET NULL serves admin deletions',
  },
  feedback_attachment_feedback_id_fkey: { onDelete: 'cascade', rows: 'deleted', why: 'part of the feedback' },
  feedback_comment_feedback_id_fkey: { onDelete: 'cascade', rows: 'deleted', why: 'part of the feedback' },
  feedback_tag_link_feedback_id_fkey: { onDelete: 'cascade', rows: 'deleted', why: 'part of the feedback' },
  feedback_tag_link_tag_id_fkey: { onDelete: 'cascade', rows: 'unrelated', why: 'tags are admin vocabulary' },
  feature_flag_audit_flag_id_fkey: { onDelete: 'set null', rows: 'unrelated', why: 'flag history outlives the flag' },
  file_deletion_outbox_erasure_id_fkey: { onDelete: 'set null', rows: 'unrelated', why: 'outbox items outlive nothing personal' },
  media_cleanup_candidate_run_id_fkey: { onDelete: 'cascade', rows: 'unrelated', why: 'cleanup bookkeeping' },
  media_deletion_log_run_id_fkey: { onDelete: 'restrict', rows: 'unrelated', why: 'the deletion log must outlive nothing but its run' },
  privacy_code_user_id_fkey: { onDelete: 'cascade', rows: 'deleted', why: 'erasure codes of the account' },
  question_coaching_sessions_expert_profile_id_fkey: {
    onDelete: 'cascade',
    rows: 'deleted',
    why: 'coaching sessions of questions drafted for the expert (askers’ words)',
  },
  question_coaching_sessions_question_id_fkey: {
    onDelete: 'cascade',
    rows: 'deleted',
    why: 'the coaching of a question goes with it; the asker erasure deletes it explicitly (questions are scrubbed, not deleted)',
  },
  account_export_user_id_fkey: {
    onDelete: 'cascade',
    rows: 'deleted',
    why: 'exports of the account (their archives go through the outbox)',
  },
};

/** How a personal-data column without a foreign key is handled when its person is erased. */
export interface PersonalColumn {
  table: string;
  column: string;
  holds: string;
  handling: string;
}

export const PERSONAL_COLUMNS: readonly PersonalColumn[] = [
  { table: 'question', column: 'payer_email', holds: 'asker e-mail', handling: 'row deleted with the expert; asker erasure replaces it' },
  { table: 'question', column: 'payer_first_name', holds: 'asker name', handling: 'row deleted; asker erasure sets NULL' },
  { table: 'question', column: 'payer_last_name', holds: 'asker name', handling: 'row deleted; asker erasure sets NULL' },
  { table: 'question', column: 'title', holds: 'asker text', handling: 'row deleted; asker erasure replaces it' },
  { table: 'question', column: 'text', holds: 'asker text', handling: 'row deleted; asker erasure sets NULL' },
  { table: 'question', column: 'asker_message', holds: 'asker text', handling: 'row deleted; asker erasure sets NULL' },
  { table: 'question', column: 'attachments', holds: 'asker files (JSON)', handling: 'files to the outbox; asker erasure sets NULL' },
  { table: 'answer', column: 'feedback_text', holds: 'asker text', handling: 'row deleted; asker erasure sets NULL' },
  { table: 'answer', column: 'text_response', holds: 'expert text', handling: 'row deleted with the expert' },
  { table: 'answer', column: 'attachments', holds: 'expert files (JSON)', handling: 'files to the outbox, row deleted' },
  { table: 'magic_link_token', column: 'email', holds: 'e-mail', handling: 'rows of the address deleted' },
  { table: 'magic_link_token', column: 'ip_address', holds: 'legacy raw IP', handling: 'rows of the address deleted' },
  {
    table: 'email_outbox',
    column: 'to_address',
    holds: 'e-mail',
    handling: 'rows to the address deleted, except the confirmation until sent',
  },
  {
    table: 'email_outbox',
    column: 'text_body',
    holds: 'names, e-mails',
    handling: 'rows mentioning the address or about erased questions deleted',
  },
  { table: 'email_outbox', column: 'html_body', holds: 'names, e-mails', handling: 'deleted with text_body' },
  { table: 'email_outbox', column: 'subject', holds: 'question titles', handling: 'deleted with text_body' },
  { table: 'feedback', column: 'email', holds: 'e-mail', handling: 'feedback of the account or address deleted' },
  { table: 'feedback', column: 'context', holds: 'widget fields (JSON)', handling: 'deleted with the feedback' },
  { table: 'feedback', column: 'message', holds: 'free text', handling: 'deleted with the feedback' },
  { table: 'feedback_attachment', column: 'url', holds: 'files', handling: 'deleted with the feedback (our files to the outbox)' },
  { table: 'campaign_visit', column: 'visitor_ip_hash', holds: 'visitor IP (keyed hash)', handling: 'expert: deleted; asker: set NULL' },
  { table: 'campaign_visit', column: 'user_agent', holds: 'visitor browser', handling: 'expert: deleted; asker: set NULL' },
  { table: 'campaign_visit', column: 'referrer', holds: 'visitor origin', handling: 'expert: deleted; asker: set NULL' },
  {
    table: 'simulated_payment_intent',
    column: 'metadata',
    holds: 'asker e-mail, IP, title (JSON)',
    handling: 'scrubbed through the provider by the outbox',
  },
  { table: 'upload_session', column: 'ip_hash', holds: 'uploader IP (keyed hash)', handling: 'sessions of erased files deleted' },
  { table: 'upload_session', column: 'original_name', holds: 'file name', handling: 'sessions of erased files deleted' },
  { table: 'media_asset', column: 'metadata', holds: 'recording segments (JSON)', handling: 'row deleted, objects to the outbox' },
  {
    table: 'admin_audit_log',
    column: 'details',
    holds: 'admin action payload (JSON)',
    handling: 'kept: must never carry e-mails or names',
  },
  { table: 'privacy_code', column: 'email', holds: 'e-mail', handling: 'deleted with the account / at asker erasure' },
  {
    table: 'file_deletion_outbox',
    column: 'object_key',
    holds: 'file names inside keys',
    handling: 'replaced by its SHA-256 once deleted',
  },
  { table: 'upload_session', column: 'object_key', holds: 'file names inside keys', handling: 'sessions of erased files deleted' },
  {
    table: 'question_coaching_sessions',
    column: 'title',
    holds: 'asker text',
    handling: 'deleted with the expert or the asker’s question',
  },
  { table: 'question_coaching_sessions', column: 'question_text', holds: 'asker text', handling: 'deleted with title' },
  { table: 'question_coaching_sessions', column: 'validation', holds: 'scores (JSON)', handling: 'deleted with title' },
  { table: 'question_coaching_sessions', column: 'analysis', holds: 'summary quoting the asker (JSON)', handling: 'deleted with title' },
  { table: 'question_coaching_sessions', column: 'responses', holds: 'asker text (JSON)', handling: 'deleted with title' },
  { table: 'question_coaching_sessions', column: 'fingerprint_hash', holds: 'device (keyed hash)', handling: 'deleted with title' },
  { table: 'question_coaching_sessions', column: 'ip_hash', holds: 'asker IP (keyed hash)', handling: 'deleted with title' },
  {
    table: 'coaching_rate_limits',
    column: 'key_hash',
    holds: 'device or IP (keyed hash)',
    handling: 'daily counters tied to no person or question; deleted by the retention job once their day is over',
  },
  { table: 'payment', column: 'payer_pseudonym', holds: 'pseudonym', handling: 'HMAC: unlinkable without the server secret' },
  { table: 'payment', column: 'expert_pseudonym', holds: 'pseudonym', handling: 'HMAC: unlinkable without the server secret' },
  { table: 'erasure_audit', column: 'subject_pseudonym', holds: 'pseudonym', handling: 'HMAC: unlinkable without the server secret' },
];
