import type { RetrievedFile } from '@quarry/protocol';
import { humanBytes } from './bytes.js';
import { renderPairs } from './table.js';

/** Labels padded to this width so hashes line up: `sha256  <hex>`. */
const LABEL_WIDTH = 6;

export interface FileReportInput {
  file: Pick<RetrievedFile, 'hostname' | 'path' | 'size' | 'md5' | 'sha1' | 'sha256'>;
  savedTo: string;
  password?: string;
}

/**
 * The block printed for each downloaded file. Lines start with a fixed label so scripts can grep
 * them (`^sha256  `); hashes are the server-verified ones, sha256 re-checked locally for raw files.
 */
export function renderFileReport({ file, savedTo, password }: FileReportInput): string {
  const pairs: Array<[string, string]> = [
    ['saved', savedTo],
    ['host', file.hostname],
    ['source', file.path],
    ['size', `${file.size} (${humanBytes(file.size)})`],
    ['md5', file.md5],
    ['sha1', file.sha1],
    ['sha256', file.sha256],
  ];
  const block = renderPairs(pairs, LABEL_WIDTH);
  // Kept out of the aligned block so a longer label does not shift the hash columns.
  return password === undefined ? block : `${block}\npassword  ${password}`;
}
