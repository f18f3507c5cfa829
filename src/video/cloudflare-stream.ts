import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { type ByteRange, type ObjectStream, RangeNotSatisfiableError } from '../storage/storage.ts';
import { VIDEO_UID, type VideoHost, type VideoInfo, type VideoState } from './video-host.ts';

export interface CloudflareStreamOptions {
  accountId: string;
  apiToken: string;
  customerCode: string;
  /** https://api.cloudflare.com/client/v4, or a local stub in tests. */
  apiBase: string;
  /** Where playback and downloads are served; default https://customer-<code>.cloudflarestream.com. */
  deliveryBase?: string;
  fetch?: typeof fetch;
}

/** Raised when a video exists but its MP4 download was never enabled (the route answers 424). */
export class DownloadsNotEnabledError extends Error {}

interface StreamVideo {
  uid: string;
  created?: string;
  status?: { state?: string };
  readyToStream?: boolean;
  duration?: number;
  size?: number;
}

const STATES: VideoState[] = ['pendingupload', 'queued', 'inprogress', 'ready', 'error'];

function toInfo(v: StreamVideo): VideoInfo {
  const raw = v.status?.state ?? (v.readyToStream ? 'ready' : 'queued');
  const state = (STATES as string[]).includes(raw) ? (raw as VideoState) : 'inprogress';
  return {
    uid: v.uid,
    state,
    duration: typeof v.duration === 'number' && v.duration >= 0 ? v.duration : null,
    size: typeof v.size === 'number' ? v.size : null,
    created: v.created ? new Date(v.created) : new Date(0),
  };
}

/** Cloudflare Stream through its REST API (the subset the media domain uses). */
export function createCloudflareStream(opts: CloudflareStreamOptions): VideoHost {
  const doFetch = opts.fetch ?? fetch;
  const api = `${opts.apiBase}/accounts/${encodeURIComponent(opts.accountId)}/stream`;
  const delivery = (opts.deliveryBase ?? `https://customer-${opts.customerCode}.cloudflarestream.com`).replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${opts.apiToken}` };
  const deliveryHost = new URL(delivery).host;

  async function call<T>(path: string, init: RequestInit = {}, allow404 = false): Promise<T | null> {
    const res = await doFetch(`${api}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
    if (allow404 && res.status === 404) return null;
    const body = (await res.json().catch(() => null)) as { success?: boolean; result?: T; errors?: { message?: string }[] } | null;
    if (!res.ok || !body?.success) {
      const why = body?.errors?.map((e) => e.message).join('; ') || `HTTP ${res.status}`;
      throw new Error(`Cloudflare Stream ${init.method ?? 'GET'} ${path.split('?')[0]} failed: ${why}`);
    }
    return body.result as T;
  }

  const checkUid = (uid: string) => {
    if (!VIDEO_UID.test(uid)) throw new Error(`Invalid Stream uid: ${JSON.stringify(uid)}`);
  };

  return {
    kind: 'cloudflare-stream',
    async createDirectUpload({ maxDurationSeconds, expiresInSeconds, now }) {
      const expiresAt = new Date(now.getTime() + expiresInSeconds * 1000);
      const r = await call<{ uploadURL: string; uid: string }>('/direct_upload', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ maxDurationSeconds, expiry: expiresAt.toISOString() }),
      });
      if (!r || !VIDEO_UID.test(r.uid)) throw new Error('Cloudflare Stream returned no upload URL');
      return { uid: r.uid, uploadURL: r.uploadURL, expiresAt };
    },
    async upload(body, { contentType }) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(body)], { type: contentType }), 'recording.webm');
      const r = await call<StreamVideo>('', { method: 'POST', body: form });
      if (!r) throw new Error('Cloudflare Stream returned no video');
      return toInfo(r);
    },
    async adopt() {
      throw new Error('Cloudflare Stream assigns its own uids: a video cannot be stored under a given one');
    },
    async status(uid) {
      if (!VIDEO_UID.test(uid)) return null;
      const r = await call<StreamVideo>(`/${uid}`, {}, true);
      return r ? toInfo(r) : null;
    },
    async enableDownloads(uid) {
      checkUid(uid);
      const r = await call<{ default?: { status?: string } }>(`/${uid}/downloads`, { method: 'POST' }, true);
      return r !== null && ['ready', 'inprogress'].includes(r.default?.status ?? '');
    },
    async delete(uid) {
      checkUid(uid);
      await call<unknown>(`/${uid}`, { method: 'DELETE' }, true);
    },
    async list(o = {}) {
      // Stream lists by creation date; the cursor is the last date seen plus the uids at that date.
      const cursor = o.cursor ? (JSON.parse(o.cursor) as { start: string; seen: string[] }) : null;
      const limit = o.limit ?? 1000;
      const q = new URLSearchParams({ asc: 'true', limit: String(limit) });
      if (cursor) q.set('start', cursor.start);
      const raw = (await call<StreamVideo[]>(`?${q}`)) ?? [];
      const videos = raw.filter((v) => !cursor || v.created !== cursor.start || !cursor.seen.includes(v.uid)).map(toInfo);
      if (raw.length < limit) return { videos, next: null };
      const last = raw.at(-1)?.created ?? '';
      const seen = raw.filter((v) => v.created === last).map((v) => v.uid);
      if (cursor && last === cursor.start) seen.push(...cursor.seen);
      return { videos, next: JSON.stringify({ start: last, seen }) };
    },
    playbackUrl: (uid) => `${delivery}/${uid}/manifest/video.m3u8`,
    thumbnailUrl: (uid) => `${delivery}/${uid}/thumbnails/thumbnail.jpg`,
    downloadUrl: (uid) => `${delivery}/${uid}/downloads/default.mp4`,
    uidFromUrl(url) {
      try {
        const u = new URL(url);
        if (u.host !== deliveryHost && u.host !== 'videodelivery.net') return null;
        const uid = u.pathname.split('/')[1] ?? '';
        return VIDEO_UID.test(uid) ? uid : null;
      } catch {
        return null;
      }
    },
    async open(uid: string, range?: ByteRange): Promise<ObjectStream | null> {
      checkUid(uid);
      // The URL is built from configuration and a checked uid: nothing the caller typed is fetched.
      const res = await doFetch(`${delivery}/${uid}/downloads/default.mp4`, {
        headers: range ? { range: `bytes=${range.start}-${range.end ?? ''}` } : {},
        redirect: 'error',
      });
      if (res.status === 404) {
        await res.body?.cancel();
        if (await this.status(uid)) throw new DownloadsNotEnabledError(`Downloads are not enabled for video ${uid}`);
        return null;
      }
      if (res.status === 416) {
        await res.body?.cancel();
        throw new RangeNotSatisfiableError(Number(res.headers.get('content-range')?.split('/')[1] ?? 0));
      }
      if (!res.ok || !res.body) throw new Error(`Cloudflare Stream download of ${uid} failed: HTTP ${res.status}`);
      const cr = /bytes (\d+)-(\d+)\/(\d+)/.exec(res.headers.get('content-range') ?? '');
      return {
        body: Readable.fromWeb(res.body as WebReadableStream),
        size: cr ? Number(cr[3]) : Number(res.headers.get('content-length') ?? 0),
        contentType: res.headers.get('content-type') ?? 'video/mp4',
        range: cr ? { start: Number(cr[1]), end: Number(cr[2]) } : undefined,
      };
    },
  };
}
