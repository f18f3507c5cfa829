import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { contentTypeForKey } from './content-type.ts';
import type { UrlSigner } from './signer.ts';
import { assertKey, type ByteRange, type ListPage, type ObjectStream, resolveRange, type Storage, type StoredObject } from './storage.ts';

/** The route that accepts PUTs to local presigned URLs (src/media/local-routes.ts). */
export const LOCAL_UPLOAD_PATH = '/api/media/local-upload';

const TMP = '.tmp';

export interface LocalStorageOptions {
  root: string;
  publicUrl: string;
  signer: UrlSigner;
}

/** Files under `root`, one per key. Writes go to a temp file and are renamed into place. */
export function createLocalStorage(opts: LocalStorageOptions): Storage {
  const { root, signer } = opts;
  const pathOf = (key: string) => {
    assertKey(key);
    return join(root, ...key.split('/'));
  };

  async function head(key: string): Promise<StoredObject | null> {
    try {
      const s = await stat(pathOf(key));
      if (!s.isFile()) return null;
      return { key, size: s.size, lastModified: s.mtime, contentType: contentTypeForKey(key) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw err;
    }
  }

  async function writeAtomically(key: string, write: (tmp: string) => Promise<void>): Promise<void> {
    const target = pathOf(key);
    const tmpDir = join(root, TMP);
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomBytes(12).toString('hex'));
    try {
      await write(tmp);
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Every key under the directory of `prefix`, sorted; the local adapter is for one machine. */
  async function walk(prefix: string): Promise<string[]> {
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const start = base ? join(root, ...base.split('/')) : root;
    let entries: string[];
    try {
      entries = (await readdir(start, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) =>
          join(e.parentPath, e.name)
            .slice(root.length + 1)
            .split(sep)
            .join('/'),
        );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return entries.filter((k) => k.startsWith(prefix) && !k.startsWith(`${TMP}/`)).sort();
  }

  return {
    kind: 'local',
    head,
    async put(key, body) {
      await writeAtomically(key, (tmp) => (Buffer.isBuffer(body) ? writeFile(tmp, body) : pipeline(body, createWriteStream(tmp))));
    },
    async get(key: string, range?: ByteRange): Promise<ObjectStream | null> {
      const info = await head(key);
      if (!info) return null;
      const r = range ? resolveRange(range, info.size) : undefined;
      const body = createReadStream(pathOf(key), r ? { start: r.start, end: r.end } : {});
      return { body, size: info.size, contentType: info.contentType, range: r };
    },
    async copy(fromKey, toKey) {
      const from = pathOf(fromKey);
      await writeAtomically(toKey, (tmp) => copyFile(from, tmp));
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async list(prefix, o = {}): Promise<ListPage> {
      const limit = o.limit ?? 1000;
      const after = o.after ?? '';
      const keys = (await walk(prefix)).filter((k) => k > after).slice(0, limit + 1);
      const page = keys.slice(0, limit);
      const objects: StoredObject[] = [];
      for (const k of page) {
        const h = await head(k);
        if (h) objects.push(h);
      }
      return { objects, next: keys.length > limit ? (page.at(-1) ?? null) : null };
    },
    async presignUpload(key, { contentType, size, expiresInSeconds, now }) {
      assertKey(key);
      const expiresAt = new Date(now.getTime() + expiresInSeconds * 1000);
      const fields = { key, ct: contentType, size: String(size), exp: String(expiresAt.getTime()) };
      const q = new URLSearchParams({ ...fields, sig: signer.sign(fields) });
      return { url: `${opts.publicUrl}${LOCAL_UPLOAD_PATH}?${q}`, method: 'PUT', headers: { 'content-type': contentType }, expiresAt };
    },
  };
}

export interface LocalUploadGrant {
  key: string;
  contentType: string;
  size: number;
  expiresAt: Date;
}

/** Checks a local presigned URL's query; null when forged, altered or expired. */
export function verifyLocalUpload(signer: UrlSigner, query: Record<string, string | undefined>, now: Date): LocalUploadGrant | null {
  const { key, ct, size, exp, sig } = query;
  if (!key || !ct || !size || !exp || !sig) return null;
  if (!signer.verify({ key, ct, size, exp }, sig)) return null;
  const expiresAt = new Date(Number(exp));
  if (!(expiresAt.getTime() > now.getTime())) return null;
  return { key, contentType: ct, size: Number(size), expiresAt };
}
