import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { freshDatabase, isPostgres } from '../../test/db.ts';
import { databaseUrl } from '../../test/pg-urls.ts';
import { openPostgres } from '../db/index.ts';
import { adminSource } from './admin-source.ts';
import { ADMIN_SPECS } from './map-admin.ts';
import { runImport } from './run.ts';
import { digest } from './test-helpers.ts';
import { verifyImport } from './verify.ts';

/** The admin app's tables as legacy-admin-contract.md §4 describes them (the columns the import reads). */
const LEGACY_ADMIN_SCHEMA = `
CREATE TABLE admin_users (id uuid PRIMARY KEY, xano_user_id text UNIQUE, email text, name text, role text, disabled boolean DEFAULT false, token_version int DEFAULT 0, created_at timestamptz, updated_at timestamptz);
CREATE TABLE feature_flags (id uuid PRIMARY KEY, key text UNIQUE NOT NULL, name text NOT NULL, description text, enabled boolean DEFAULT false, min_plan_level int DEFAULT 0, rollout_percentage int, created_at timestamptz, updated_at timestamptz);
CREATE TABLE feature_flag_audit (id uuid PRIMARY KEY, flag_id uuid REFERENCES feature_flags ON DELETE CASCADE, admin_user_id uuid, action text, old_value jsonb, new_value jsonb, created_at timestamptz);
CREATE TABLE admin_audit_log (id uuid PRIMARY KEY, admin_user_id uuid, action text, resource_type text, resource_id text, before_data text, after_data text, ip_address text, user_agent text, created_at timestamptz);
CREATE TABLE feedback (id uuid PRIMARY KEY, user_id int, session_id text NOT NULL, email text, wants_followup boolean, type text, message text, rating int, status text, priority text, page_url text, page_title text, user_agent text, device_type text, journey_stage text, assigned_to int, jira_ticket_key text, created_at timestamptz, updated_at timestamptz, resolved_at timestamptz, deleted_at timestamptz);
CREATE TABLE feedback_attachments (id uuid PRIMARY KEY, feedback_id uuid, file_type text, file_name text, file_size int, mime_type text, storage_key text, storage_url text, uploaded_at timestamptz);
CREATE TABLE feedback_comments (id uuid PRIMARY KEY, feedback_id uuid, admin_user_id uuid, comment text, is_internal boolean, created_at timestamptz);
CREATE TABLE feedback_tags (id uuid PRIMARY KEY, name text UNIQUE, color text, description text, created_at timestamptz);
CREATE TABLE feedback_tag_assignments (feedback_id uuid, tag_id uuid, assigned_by uuid, assigned_at timestamptz, PRIMARY KEY (feedback_id, tag_id));
`;

const u = (n: number) => `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`;

const LEGACY_ADMIN_ROWS = `
INSERT INTO admin_users VALUES ('${u(1)}', '1', 'ada@example.com', 'Ada', 'super_admin', false, 2, '2025-06-01T10:00:00Z', '2025-06-02T10:00:00Z'),
  ('${u(2)}', 'temp_YWRhQGV4YW1wbGUu', 'bob@example.com', 'Bob', 'super_admin', false, 0, '2025-06-03T10:00:00Z', NULL);
INSERT INTO feature_flags VALUES ('${u(10)}', 'new_inbox', 'New inbox', 'The new inbox', true, 10, 50, '2025-06-04T10:00:00Z', '2025-06-04T10:00:00Z');
INSERT INTO feature_flag_audit VALUES ('${u(20)}', '${u(10)}', '${u(1)}', 'update', '{"enabled":false}', '{"enabled":true}', '2025-06-05T10:00:00Z');
INSERT INTO admin_audit_log VALUES ('${u(30)}', '${u(1)}', 'update_feature_flag', 'feature_flag', '${u(10)}', '{"enabled":false}', '{"enabled":true}', NULL, NULL, '2025-06-05T10:00:01Z');
INSERT INTO feedback VALUES ('${u(40)}', 1, 'sess-1', 'Ada@Example.com', true, 'bug', 'The inbox does not load at all', 2, 'in_progress', 'high', '/inbox', 'Inbox', 'Mozilla', 'desktop', 'retention', 7, 'QC-12', '2025-06-06T10:00:00Z', '2025-06-06T11:00:00Z', NULL, NULL),
  ('${u(41)}', 999, 'sess-2', NULL, false, 'feature', 'too short', NULL, 'new', 'low', '/', NULL, NULL, NULL, NULL, NULL, NULL, '2025-06-07T10:00:00Z', NULL, NULL, NULL);
INSERT INTO feedback_attachments VALUES ('${u(50)}', '${u(40)}', 'screenshot', 'shot.png', 1234, 'image/png', 'feedback/shot.png', 'https://pub.example/feedback/shot.png', '2025-06-06T10:00:05Z');
INSERT INTO feedback_comments VALUES ('${u(60)}', '${u(40)}', '${u(1)}', 'Looking into it', true, '2025-06-06T12:00:00Z'),
  ('${u(61)}', '${u(99)}', NULL, 'Orphan comment', false, '2025-06-06T12:00:01Z');
INSERT INTO feedback_tags VALUES ('${u(70)}', 'Inbox Bugs!', '#f00', NULL, '2025-06-01T09:00:00Z'),
  ('${u(71)}', 'ux', NULL, NULL, '2025-06-01T09:00:01Z');
INSERT INTO feedback_tag_assignments VALUES ('${u(40)}', '${u(70)}', '${u(1)}', '2025-06-06T13:00:00Z'),
  ('${u(40)}', '${u(71)}', NULL, NULL),
  ('${u(41)}', '${u(70)}', NULL, '2025-06-07T11:00:00Z'),
  ('${u(40)}', '${u(98)}', NULL, '2025-06-07T12:00:00Z');
`;

describe('import xano --admin-database-url', { timeout: 120_000 }, () => {
  it.runIf(isPostgres())(
    'imports admins, flags + audit, feedback + comments, tags and attachments; verify is clean; a re-run is a no-op',
    async () => {
      const base = process.env.TEST_DATABASE_URL as string;
      const name = `qc_adm_${randomBytes(5).toString('hex')}`;
      const admin = openPostgres(base, 1);
      await sql.raw(`CREATE DATABASE ${name}`).execute(admin.db);
      const legacyUrl = databaseUrl(base, name);
      const legacy = openPostgres(legacyUrl, 1);
      const target = await freshDatabase();
      const source = adminSource(legacyUrl);
      try {
        await sql.raw(LEGACY_ADMIN_SCHEMA + LEGACY_ADMIN_ROWS).execute(legacy.db);
        await target.db.insertInto('user').values({ id: 1, email: 'ada@example.com', auth_provider: 'magic_link' }).execute();
        const report = await runImport(target.db, { source, specs: ADMIN_SPECS, perPage: 1 });
        const by = (t: string) => report.tables.find((x) => x.table === t);
        expect(report.tables.map((t) => [t.table, t.inserted, t.rejected])).toEqual([
          ['admin_users', 1, 1],
          ['feature_flags', 1, 0],
          ['feature_flag_audit', 1, 0],
          ['admin_audit_log', 1, 0],
          ['feedback', 1, 1],
          ['feedback_attachments', 1, 0],
          ['feedback_comments', 1, 1],
          ['feedback_tags', 2, 0],
          ['feedback_tag_assignments', 2, 2],
        ]);
        expect(by('feedback_tag_assignments')?.repairs).toEqual({
          'assigned_by dropped (a tag link records no admin)': 1,
          "missing assigned_at → the feedback's time": 1,
        });
        expect(by('feedback')?.repairs).toMatchObject({ 'assigned_to (an int, not an admin uuid) dropped': 1 });
        const a = await target.db.selectFrom('admin_users').selectAll().executeTakeFirstOrThrow();
        expect(a).toMatchObject({ user_id: 1, role: 'super_admin', token_version: 2 });
        const fb = await target.db.selectFrom('feedback').selectAll().executeTakeFirstOrThrow();
        expect(fb).toMatchObject({ type: 'bug', email: 'ada@example.com', status: 'in_progress', jira_issue_key: 'QC-12', user_id: 1 });
        expect(fb.context).toMatchObject({ page_title: 'Inbox', journey_stage: 'retention' });
        const comment = await target.db.selectFrom('feedback_comment').selectAll().executeTakeFirstOrThrow();
        expect(comment).toMatchObject({ feedback_id: fb.id, admin_user_id: a.id, body: 'Looking into it' });
        const audit = await target.db
          .selectFrom('feature_flag_audit')
          .selectAll()
          .where('flag_key', '=', 'new_inbox')
          .executeTakeFirstOrThrow();
        expect(audit).toMatchObject({ flag_key: 'new_inbox', action: 'update', admin_user_id: a.id, after: { enabled: true } });
        const tags = await target.db.selectFrom('feedback_tag').select(['id', 'name']).orderBy('name').execute();
        expect(tags.map((t) => t.name)).toEqual(['inbox bugs-', 'ux']);
        const links = await target.db
          .selectFrom('feedback_tag_link')
          .select(['feedback_id', 'tag_id', 'created_at'])
          .orderBy('tag_id')
          .execute();
        expect(links.map((l) => [l.feedback_id, l.tag_id, new Date(l.created_at).toISOString()])).toEqual([
          [fb.id, tags[0]?.id, '2025-06-06T13:00:00.000Z'],
          [fb.id, tags[1]?.id, '2025-06-06T10:00:00.000Z'],
        ]);
        const rejected = await target.db
          .selectFrom('import_rejected')
          .select(['table_name', 'legacy_id', 'reason'])
          .orderBy('table_name')
          .orderBy('legacy_id')
          .execute();
        expect(rejected).toEqual([
          { table_name: 'admin_users', legacy_id: u(2), reason: expect.stringContaining('temp_ placeholder') },
          { table_name: 'feedback', legacy_id: u(41), reason: expect.stringContaining('feedback_message_check') },
          { table_name: 'feedback_comments', legacy_id: u(61), reason: expect.stringContaining('missing feedback') },
          {
            table_name: 'feedback_tag_assignments',
            legacy_id: `${u(40)}:${u(98)}`,
            reason: expect.stringContaining('missing or rejected tag'),
          },
          {
            table_name: 'feedback_tag_assignments',
            legacy_id: `${u(41)}:${u(70)}`,
            reason: expect.stringContaining('missing or rejected feedback'),
          },
        ]);
        expect((await verifyImport(target.db, source, { specs: ADMIN_SPECS })).ok).toBe(true);
        const before = await digest(target.db);
        const again = await runImport(target.db, { source, specs: ADMIN_SPECS, perPage: 1 });
        for (const t of again.tables) expect([t.table, t.inserted, t.updated]).toEqual([t.table, 0, 0]);
        expect(await digest(target.db)).toEqual(before);
        expect(await target.db.selectFrom('feedback').select('id').execute()).toHaveLength(1);
        // The orphan comment's feedback turns up: the next pass imports it and clears its rejection.
        await sql
          .raw(
            `INSERT INTO feedback (id, session_id, type, message, created_at) VALUES ('${u(99)}', 's', 'bug', 'The late parent of a comment', '2025-06-08T10:00:00Z')`,
          )
          .execute(legacy.db);
        await runImport(target.db, { source, specs: ADMIN_SPECS, perPage: 1 });
        expect(await target.db.selectFrom('feedback_comment').select('body').orderBy('id').execute()).toEqual([
          { body: 'Looking into it' },
          { body: 'Orphan comment' },
        ]);
        expect(
          await target.db.selectFrom('import_rejected').select('legacy_id').where('table_name', '=', 'feedback_comments').execute(),
        ).toEqual([]);
      } finally {
        await source.close?.();
        await target.close();
        await legacy.close();
        await sql.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).execute(admin.db);
        await admin.close();
      }
    },
  );
});
