import type { DownloadFormat } from '@quarry/protocol';

/** A download link. The token is not stored: it is the id, expiry and an HMAC over both. */
export interface LinkRecord {
  id: string;
  fileOpId: number;
  format: DownloadFormat;
  /** Zip password sealed by Secrets; null for raw links. */
  passwordSealed: string | null;
  expiresAt: number;
  createdBy: string;
  createdAt: number;
}

/**
 * Download links.
 *
 * @example await store.links.insert(record); const link = await store.links.get(id);
 */
export interface LinkStore {
  insert(record: LinkRecord): Promise<void>;
  get(id: string): Promise<LinkRecord | null>;
}
