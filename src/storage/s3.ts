import type { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { assertKey, type ByteRange, type ObjectStream, RangeNotSatisfiableError, type Storage } from './storage.ts';

export interface S3StorageOptions {
  /** null = AWS itself; R2: https://<account>.r2.cloudflarestorage.com; MinIO: its URL. */
  endpoint: string | null;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

const notFound = (err: unknown) =>
  err instanceof S3ServiceException && (err.$metadata.httpStatusCode === 404 || err.name === 'NotFound' || err.name === 'NoSuchKey');

/** S3-compatible storage: Cloudflare R2, AWS S3, MinIO. */
export function createS3Storage(opts: S3StorageOptions): Storage & { client: S3Client } {
  const client = new S3Client({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    forcePathStyle: opts.forcePathStyle,
    credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
    // Otherwise presigned PUTs carry the checksum of an empty body and real S3 rejects the upload.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = opts.bucket;

  return {
    kind: 's3',
    client,
    async put(key, body, { contentType, size }) {
      assertKey(key);
      const length = Buffer.isBuffer(body) ? body.length : size;
      if (length === undefined) throw new Error('S3 put of a stream needs its size');
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: contentType, ContentLength: length }));
    },
    async head(key) {
      assertKey(key);
      try {
        const h = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { key, size: h.ContentLength ?? 0, lastModified: h.LastModified ?? new Date(0), contentType: h.ContentType };
      } catch (err) {
        if (notFound(err)) return null;
        throw err;
      }
    },
    async get(key: string, range?: ByteRange): Promise<ObjectStream | null> {
      assertKey(key);
      try {
        const res = await client.send(
          new GetObjectCommand({ Bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}) }),
        );
        const total = res.ContentRange ? Number(res.ContentRange.split('/')[1]) : (res.ContentLength ?? 0);
        const served = res.ContentRange ? /bytes (\d+)-(\d+)\//.exec(res.ContentRange) : null;
        return {
          body: res.Body as Readable,
          size: total,
          contentType: res.ContentType,
          range: served ? { start: Number(served[1]), end: Number(served[2]) } : undefined,
        };
      } catch (err) {
        if (notFound(err)) return null;
        if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 416) {
          const h = await this.head(key);
          throw new RangeNotSatisfiableError(h?.size ?? 0);
        }
        throw err;
      }
    },
    async copy(fromKey, toKey) {
      assertKey(fromKey);
      assertKey(toKey);
      await client.send(
        new CopyObjectCommand({ Bucket, Key: toKey, CopySource: `${Bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}` }),
      );
    },
    async delete(key) {
      assertKey(key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (err) {
        if (!notFound(err)) throw err;
      }
    },
    async list(prefix, o = {}) {
      // StartAfter (not continuation tokens) makes the cursor a plain key we can persist.
      const res = await client.send(
        new ListObjectsV2Command({ Bucket, Prefix: prefix, MaxKeys: o.limit ?? 1000, ...(o.after ? { StartAfter: o.after } : {}) }),
      );
      const objects = (res.Contents ?? [])
        .filter((c): c is typeof c & { Key: string } => typeof c.Key === 'string')
        .map((c) => ({ key: c.Key, size: c.Size ?? 0, lastModified: c.LastModified ?? new Date(0) }));
      return { objects, next: res.IsTruncated ? (objects.at(-1)?.key ?? null) : null };
    },
    async presignUpload(key, { contentType, size, expiresInSeconds, now }) {
      assertKey(key);
      const url = await getSignedUrl(client, new PutObjectCommand({ Bucket, Key: key, ContentType: contentType, ContentLength: size }), {
        expiresIn: expiresInSeconds,
        signingDate: now,
      });
      return {
        url,
        method: 'PUT',
        headers: { 'content-type': contentType },
        expiresAt: new Date(now.getTime() + expiresInSeconds * 1000),
      };
    },
  };
}
