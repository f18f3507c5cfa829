/**
 * POST /me/export: a ZIP with `export.json` (everything the account owns, as the API shows it to
 * its owner) and `files/…` (its own stored files: picture, answer recordings and attachments,
 * uploads). Stored through the Storage adapter under `exports/`, downloadable with an unguessable
 * link for EXPORT_TTL_DAYS; the privacy-retention job deletes it after that.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ZipArchive } from 'archiver';
import type { AppContext } from '../context.ts';
import { gone, notFound, tooManyRequests } from '../errors.ts';
import { exportData, insertExport, recentExports } from './export-queries.ts';
import { attachmentUrls, ownKeys } from './files.ts';

const DAY_MS = 24 * 3600_000;
export const EXPORT_PATH = '/api/account/export';

const hashExportToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

interface FileRef {
  target: 'storage' | 'video';
  key: string;
}

/** The account's own files: never the askers' recordings and attachments. */
function ownFiles(ctx: AppContext, data: Awaited<ReturnType<typeof exportData>>): FileRef[] {
  const refs: FileRef[] = [
    ...ownKeys(ctx, [data.profile?.avatar_url, ...data.answers.flatMap((a) => attachmentUrls(a.attachments))]).map((key) => ({
      target: 'storage' as const,
      key,
    })),
    ...data.answerObjects.map((o) => ({ target: o.target, key: o.object_key })),
    ...data.uploads.map((u) => ({ target: u.target, key: u.object_key })),
  ];
  return [...new Map(refs.map((r) => [`${r.target}:${r.key}`, r])).values()];
}

async function zip(entries: { name: string; data: Buffer }[]): Promise<Buffer> {
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const done = readAll(archive);
  for (const e of entries) archive.append(e.data, { name: e.name });
  await archive.finalize();
  return done;
}

export async function createExport(ctx: AppContext, userId: number) {
  const now = ctx.now();
  const cfg = ctx.config.privacy;
  const recent = await recentExports(ctx.db, userId, new Date(now.getTime() - DAY_MS));
  if (recent.count >= cfg.exportsPerDay) {
    const seconds = Math.max(1, Math.ceil(((recent.oldest?.getTime() ?? now.getTime()) + DAY_MS - now.getTime()) / 1000));
    throw tooManyRequests(seconds, `You can export your data ${cfg.exportsPerDay} times a day. Use your latest link, or try again later.`);
  }
  const data = await exportData(ctx.db, userId);
  if (!data.user) throw notFound('Your account no longer exists.', 'user_not_found');
  const entries: { name: string; data: Buffer }[] = [];
  const files: { target: string; key: string; included: boolean; reason?: string }[] = [];
  let budget = cfg.exportMaxBytes;
  for (const f of ownFiles(ctx, data)) {
    const obj = f.target === 'video' ? await ctx.video.open(f.key) : await ctx.storage.get(f.key);
    if (!obj) {
      files.push({ ...f, included: false, reason: f.target === 'video' ? 'hosted by the video service' : 'missing' });
      continue;
    }
    if (obj.size > budget) {
      obj.body.destroy();
      files.push({ ...f, included: false, reason: 'export size limit reached' });
      continue;
    }
    const body = await readAll(obj.body);
    budget -= body.length;
    entries.push({ name: `files/${f.target}/${f.key}`, data: body });
    files.push({ ...f, included: true });
  }
  const { answerObjects: _internal, ...json } = data;
  const document = { format: 'quickchat-export/1', exported_at: now.toISOString(), ...json, files };
  entries.unshift({ name: 'export.json', data: Buffer.from(JSON.stringify(document, null, 2)) });
  const archive = await zip(entries);
  const stamp = `${String(now.getTime()).padStart(13, '0')}-${randomBytes(16).toString('hex')}`;
  const key = `exports/${stamp}/quickchat-export.zip`;
  await ctx.storage.put(key, archive, { contentType: 'application/zip' });
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + cfg.exportTtlDays * DAY_MS);
  const row = await insertExport(ctx.db, {
    userId,
    tokenHash: hashExportToken(token),
    key,
    size: archive.length,
    fileCount: files.filter((f) => f.included).length,
    now,
    expiresAt,
  });
  return {
    export_id: row.id,
    download_url: `${ctx.config.publicUrl}${EXPORT_PATH}/${token}`,
    expires_at: expiresAt.getTime(),
    size_bytes: archive.length,
    file_count: row.file_count,
  };
}

/** The stored archive behind a download token: 404 unknown, 410 expired. */
export async function findExportForDownload(ctx: AppContext, token: string) {
  const row = await ctx.db
    .selectFrom('account_export')
    .select(['id', 'object_key', 'expires_at'])
    .where('token_hash', '=', hashExportToken(token))
    .executeTakeFirst();
  if (!row) throw notFound('This export link is not valid. Export your data again from your account.', 'export_not_found');
  if (row.expires_at.getTime() <= ctx.now().getTime()) {
    throw gone('This export link has expired. Export your data again from your account.', 'export_expired');
  }
  await ctx.db.updateTable('account_export').set({ downloaded_at: ctx.now() }).where('id', '=', row.id).execute();
  return row;
}
