import { withCopiedUrls } from './file-urls.ts';
import { campaignSpec, visitSpec } from './map-marketing.ts';
import { mediaSpec } from './map-media.ts';
import { paymentSpec } from './map-payments.ts';
import { profileSpec, userSpec } from './map-people.ts';
import { answerSpec, questionSpec } from './map-questions.ts';
import type { TableSpec } from './types.ts';

/**
 * The Xano tables of legacy-backend.md §1 in import order: parents before the rows that point at
 * them. Rows naming files map to the copies already made (src/import/file-urls.ts).
 */
export const XANO_SPECS: TableSpec<never>[] = (
  [userSpec, profileSpec, mediaSpec, questionSpec, answerSpec, paymentSpec, campaignSpec, visitSpec] as TableSpec<unknown>[]
).map(withCopiedUrls) as TableSpec<never>[];
