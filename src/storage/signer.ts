import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signs our own upload URLs (local storage and the local video host): the URL carries its
 * expiry and limits, and the HMAC proves our server issued them. The key is derived from the
 * session secret so that no extra configuration is needed and every instance agrees.
 */
export interface UrlSigner {
  sign(fields: Record<string, string>): string;
  verify(fields: Record<string, string>, signature: string): boolean;
}

export function createUrlSigner(secret: string): UrlSigner {
  const key = createHmac('sha256', secret).update('quickchat:media-upload-url:v1').digest();
  const mac = (fields: Record<string, string>) => {
    const canonical = Object.keys(fields)
      .sort()
      .map((k) => `${k}=${fields[k]}`)
      .join('\n');
    return createHmac('sha256', key).update(canonical).digest('base64url');
  };
  return {
    sign: mac,
    verify(fields, signature) {
      const expected = Buffer.from(mac(fields));
      const given = Buffer.from(signature);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}
