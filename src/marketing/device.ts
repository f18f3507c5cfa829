export type DeviceType = 'mobile' | 'tablet' | 'desktop' | 'unknown';

const TABLET = /iPad|Tablet|PlayBook|Silk|Kindle|Nexus (7|9|10)|SM-T\d|Android(?!.*Mobile)/i;
const MOBILE = /Mobi|iPhone|iPod|Windows Phone|BlackBerry|BB10|Opera Mini|IEMobile|webOS/i;
const DESKTOP = /Windows NT|Macintosh|X11|Linux x86_64|CrOS/i;
const BOT = /bot|crawl|spider|slurp|curl|wget|python-requests|headless/i;

/** The device class from a User-Agent header; crawlers and unrecognised agents are `unknown`. */
export function deviceType(userAgent: string | null | undefined): DeviceType {
  if (!userAgent || BOT.test(userAgent)) return 'unknown';
  if (TABLET.test(userAgent)) return 'tablet';
  if (MOBILE.test(userAgent)) return 'mobile';
  if (DESKTOP.test(userAgent)) return 'desktop';
  return 'unknown';
}
