import type { ServiceDeps } from '../shared/service-deps.js';
import { inTransaction } from '../shared/outbox.js';

/** Uploads discarded per call; the rest wait for the next engine tick. */
export const ABANDONED_UPLOAD_BATCH = 200;
/**
 * How long after its subtask ended an open upload is left alone. A chunk PUT that passed its
 * checks just before the subtask ended may still be writing; it deletes its own chunk if it finds
 * the upload discarded, and this grace keeps such races rare in the first place.
 */
export const ABANDONED_UPLOAD_GRACE_MS = 10 * 60 * 1000;

/**
 * Deletes the chunks of partial uploads that nothing can resume: the subtask that owned them was
 * cancelled, expired, timed out or failed for good while a file was half uploaded. Without this
 * their encrypted chunks would stay in the blob store for ever. Each upload is marked discarded
 * with a conditional update (so several nodes can run this at once) and its chunks are deleted
 * after the commit. Returns how many uploads were discarded.
 */
export async function collectAbandonedUploads(deps: ServiceDeps, now: number): Promise<number> {
  const abandoned = await deps.store.uploads.listAbandoned(now - ABANDONED_UPLOAD_GRACE_MS, ABANDONED_UPLOAD_BATCH);
  let discarded = 0;
  for (const upload of abandoned) {
    const won = await inTransaction(deps, async (tx, out) => {
      if (!(await tx.uploads.setState(upload.id, 'open', 'discarded'))) return false;
      out.afterCommit(() => deps.vault.discard(upload.id));
      return true;
    });
    if (won) discarded++;
  }
  if (discarded > 0) deps.logger.info({ discarded }, 'abandoned uploads discarded');
  return discarded;
}
