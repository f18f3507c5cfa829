import type { Db } from '../db/index.ts';
import { conflict, notFound } from '../errors.ts';
import { lockMediaAssetForAttach, mediaAssetInUse, mediaAssetUploadedByOther } from './queries.ts';

/**
 * Attaching a recording to a new question or answer, inside the caller's transaction: the row is
 * locked FOR SHARE so a cleanup run deleting it serialises with the attach, and a recording
 * belongs to one question or answer only. With `claimant` set (a signed-in expert answering), a
 * recording another signed-in user uploaded is theirs and answers as unknown: ids are guessable.
 * Askers are often anonymous, so their questions pass `claimant: null`.
 */
export async function claimRecording(trx: Db, mediaAssetId: number, claimant: { userId: number } | null): Promise<void> {
  const found = await lockMediaAssetForAttach(trx, mediaAssetId);
  if (!found || (claimant && (await mediaAssetUploadedByOther(trx, mediaAssetId, claimant.userId)))) {
    throw notFound('The recording was not found: upload it again.', 'media_asset_not_found');
  }
  if (await mediaAssetInUse(trx, mediaAssetId)) {
    throw conflict('This recording is already attached to another question or answer.', 'media_asset_in_use');
  }
}
