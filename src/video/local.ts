import { randomBytes } from 'node:crypto';
import type { UrlSigner } from '../storage/signer.ts';
import type { Storage } from '../storage/storage.ts';
import { VIDEO_UID, type VideoHost, type VideoInfo } from './video-host.ts';

/** Where the browser POSTs a local direct upload (src/media/local-routes.ts). */
export const LOCAL_VIDEO_UPLOAD_PATH = '/api/media/local-video-upload';
export const LOCAL_VIDEO_PATH = '/api/media/video';
/** Local videos live in the storage under this prefix, one object per uid. */
const LOCAL_VIDEO_PREFIX = 'video/';

export const localVideoKey = (uid: string) => `${LOCAL_VIDEO_PREFIX}${uid}.webm`;

/**
 * The default video host: stores the uploaded file through the configured Storage and serves it
 * from our own routes. A video is "ready" as soon as its file exists; downloads are always on.
 */
export function createLocalVideoHost(opts: { storage: Storage; signer: UrlSigner; publicUrl: string }): VideoHost {
  const { storage, signer, publicUrl } = opts;
  const info = async (uid: string): Promise<VideoInfo | null> => {
    if (!VIDEO_UID.test(uid)) return null;
    const h = await storage.head(localVideoKey(uid));
    return h ? { uid, state: 'ready', duration: null, size: h.size, created: h.lastModified } : null;
  };
  const ownUrl = new RegExp(`^${publicUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${LOCAL_VIDEO_PATH}/([0-9a-f]{32})(?:[/?#]|$)`);
  return {
    kind: 'local',
    async createDirectUpload({ expiresInSeconds, now }) {
      const uid = randomBytes(16).toString('hex');
      const expiresAt = new Date(now.getTime() + expiresInSeconds * 1000);
      const fields = { uid, exp: String(expiresAt.getTime()) };
      const q = new URLSearchParams({ ...fields, sig: signer.sign(fields) });
      return { uid, uploadURL: `${publicUrl}${LOCAL_VIDEO_UPLOAD_PATH}?${q}`, expiresAt };
    },
    async upload(body) {
      const uid = randomBytes(16).toString('hex');
      await storage.put(localVideoKey(uid), body, { contentType: 'video/webm' });
      return { uid, state: 'ready', duration: null, size: body.length, created: new Date() };
    },
    async adopt(uid, body, { contentType, size }) {
      if (!VIDEO_UID.test(uid)) throw new Error(`Not a video uid: ${JSON.stringify(uid)}`);
      await storage.put(localVideoKey(uid), body, { contentType, size });
    },
    status: info,
    async enableDownloads(uid) {
      return (await info(uid)) !== null;
    },
    async delete(uid) {
      if (VIDEO_UID.test(uid)) await storage.delete(localVideoKey(uid));
    },
    async list(o = {}) {
      const page = await storage.list(LOCAL_VIDEO_PREFIX, { after: o.cursor ?? null, limit: o.limit ?? 1000 });
      const videos: VideoInfo[] = [];
      for (const obj of page.objects) {
        const uid = /^video\/([0-9a-f]{32})\.webm$/.exec(obj.key)?.[1];
        // A stray key under video/ is listed with uid = key so the cleanup reports it as unknown.
        videos.push({ uid: uid ?? obj.key, state: 'ready', duration: null, size: obj.size, created: obj.lastModified });
      }
      return { videos, next: page.next };
    },
    playbackUrl: (uid) => `${publicUrl}${LOCAL_VIDEO_PATH}/${uid}`,
    thumbnailUrl: (uid) => `${publicUrl}${LOCAL_VIDEO_PATH}/${uid}/thumbnail`,
    downloadUrl: (uid) => `${publicUrl}${LOCAL_VIDEO_PATH}/${uid}?download=1`,
    uidFromUrl: (url) => ownUrl.exec(url)?.[1] ?? null,
    open: (uid, range) => (VIDEO_UID.test(uid) ? storage.get(localVideoKey(uid), range) : Promise.resolve(null)),
  };
}

/** The uid a local direct-upload URL grants, or null when forged, altered or expired. */
export function verifyLocalVideoUpload(signer: UrlSigner, query: Record<string, string | undefined>, now: Date): string | null {
  const { uid, exp, sig } = query;
  if (!uid || !exp || !sig || !VIDEO_UID.test(uid)) return null;
  if (!signer.verify({ uid, exp }, sig)) return null;
  return Number(exp) > now.getTime() ? uid : null;
}
