/** Content types we accept per upload kind, with the extension stored in the key. */
export const AUDIO_TYPES: Record<string, string> = {
  'audio/webm': 'webm',
  'audio/ogg': 'ogg',
  'audio/mp4': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
};

export const IMAGE_TYPES: Record<string, string> = {
  'image/webp': 'webp',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
};

/** Attachments: documents, images, audio and video; never HTML, SVG or scripts (served from our origin). */
export const ATTACHMENT_TYPES = new Set([
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/zip',
  'text/plain',
  'text/csv',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'audio/webm',
  'audio/mpeg',
  'audio/ogg',
  'audio/mp4',
  'video/webm',
  'video/mp4',
  'video/quicktime',
]);

/** The bare media type: lower case, without parameters (`audio/webm;codecs=opus` → `audio/webm`). */
export function baseType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

const WEBM = [0x1a, 0x45, 0xdf, 0xa3];

export function isWebm(buf: Buffer): boolean {
  return WEBM.every((b, i) => buf[i] === b);
}

/** Checks a file's first bytes against its declared image type. */
export function imageMatches(type: string, buf: Buffer): boolean {
  const head = (bytes: number[], at = 0) => bytes.every((b, i) => buf[at + i] === b);
  switch (type) {
    case 'image/png':
      return head([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case 'image/jpeg':
      return head([0xff, 0xd8, 0xff]);
    case 'image/gif':
      return head([0x47, 0x49, 0x46, 0x38]);
    case 'image/webp':
      return head([0x52, 0x49, 0x46, 0x46]) && head([0x57, 0x45, 0x42, 0x50], 8);
    default:
      return false;
  }
}

/** Audio signatures: WebM/Matroska, Ogg, MP4 (ftyp), MP3 (ID3 or frame sync), WAV (RIFF…WAVE). */
export function audioMatches(type: string, buf: Buffer): boolean {
  const head = (bytes: number[], at = 0) => bytes.every((b, i) => buf[at + i] === b);
  switch (AUDIO_TYPES[type]) {
    case 'webm':
      return isWebm(buf);
    case 'ogg':
      return head([0x4f, 0x67, 0x67, 0x53]);
    case 'm4a':
      return head([0x66, 0x74, 0x79, 0x70], 4);
    case 'mp3':
      return head([0x49, 0x44, 0x33]) || (buf[0] === 0xff && ((buf[1] ?? 0) & 0xe0) === 0xe0);
    case 'wav':
      return head([0x52, 0x49, 0x46, 0x46]) && head([0x57, 0x41, 0x56, 0x45], 8);
    default:
      return false;
  }
}
