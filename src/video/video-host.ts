import type { Readable } from 'node:stream';
import type { ByteRange, ObjectStream } from '../storage/storage.ts';

export type VideoState = 'pendingupload' | 'queued' | 'inprogress' | 'ready' | 'error';

export interface VideoInfo {
  uid: string;
  state: VideoState;
  /** Seconds; null until known. */
  duration: number | null;
  size: number | null;
  created: Date;
}

interface DirectUpload {
  uid: string;
  /** The browser POSTs the file there as multipart field `file`. */
  uploadURL: string;
  expiresAt: Date;
}

interface VideoListPage {
  videos: VideoInfo[];
  /** Opaque cursor for the next batch; null = done. */
  next: string | null;
}

/** A video hosting service (Cloudflare Stream) or our local stand-in. */
export interface VideoHost {
  readonly kind: 'local' | 'cloudflare-stream';
  createDirectUpload(opts: { maxDurationSeconds: number; expiresInSeconds: number; now: Date }): Promise<DirectUpload>;
  /** Server-side upload of a whole file (the legacy base64 route). */
  upload(body: Buffer, opts: { contentType: string }): Promise<VideoInfo>;
  /** null when the host does not know the uid. */
  status(uid: string): Promise<VideoInfo | null>;
  /** Asks for an MP4 download; true once downloads are (or will be) available. */
  enableDownloads(uid: string): Promise<boolean>;
  /**
   * Stores a file under a uid chosen elsewhere (a video copied from the legacy Stream account keeps
   * its uid, so the rows naming it stay valid). Only the local host can; Stream assigns its uids.
   */
  adopt(uid: string, body: Readable, opts: { contentType: string; size: number }): Promise<void>;
  /** Idempotent. */
  delete(uid: string): Promise<void>;
  list(opts?: { cursor?: string | null; limit?: number }): Promise<VideoListPage>;
  playbackUrl(uid: string): string;
  thumbnailUrl(uid: string): string;
  downloadUrl(uid: string): string;
  /** The uid behind one of our playback/download URLs, or null when the URL is not ours. */
  uidFromUrl(url: string): string | null;
  /** Local host only: the stored file; the Stream adapter returns null (its download URL is fetched instead). */
  open(uid: string, range?: ByteRange): Promise<ObjectStream | null>;
}

/** Stream uids and our local ones: 32 lowercase hex characters. */
export const VIDEO_UID = /^[0-9a-f]{32}$/;
