import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { normalisePath } from '../paths/normalise-path.js';
import type { PathPolicy } from '../policy/path-policy.js';
import { FileFailure, fileFailureFromFs } from './fs-failure.js';

/** An opened regular file and what was known about it when opened. */
export interface OpenedFile {
  handle: FileHandle;
  /** The symlink-free path that was opened. */
  realPath: string;
  size: number;
  mtimeMs: number;
}

/** Limits applied before a file is read. */
export interface RetrievalLimits {
  policy: PathPolicy;
  /** Largest file the agent will send, or null for no limit. */
  maxSizeBytes: number | null;
  platform?: NodeJS.Platform;
}

export const FILE_MESSAGES = {
  denied: 'path is denied by the agent policy',
  deniedTarget: 'path resolves (through a link) to a location denied by the agent policy',
  directory: 'path is a directory',
  notRegular: 'path is not a regular file (device, socket or pipe)',
  tooLarge: (size: number, max: number) => `file is ${size} bytes, larger than the agent limit of ${max} bytes`,
  replaced: 'file was replaced while being opened',
} as const;

/**
 * Normalises, checks policy, resolves links, stats and opens a requested path. Failures are
 * FileFailure with the code to report. Deny globs are checked against both the requested and the
 * resolved path (so a link cannot smuggle a denied file out); allow globs only against the
 * requested path, because resolution rewrites harmless prefixes (macOS /tmp -> /private/tmp).
 * Non-regular files are rejected from `stat` before `open`, since opening a FIFO blocks.
 */
export async function openForRetrieval(requested: string, limits: RetrievalLimits): Promise<OpenedFile> {
  const normalised = normalisePath(requested, limits.platform);
  if (!normalised.ok) throw new FileFailure('INVALID_PATH', normalised.reason);
  if (!limits.policy.isAllowed(normalised.path)) throw new FileFailure('DENIED_BY_POLICY', FILE_MESSAGES.denied);
  let real: string;
  try {
    real = await realpath(normalised.path);
  } catch (err) {
    throw fileFailureFromFs(err, 'resolve');
  }
  if (real !== normalised.path && limits.policy.isDenied(real)) {
    throw new FileFailure('DENIED_BY_POLICY', FILE_MESSAGES.deniedTarget);
  }
  let st;
  try {
    st = await stat(real);
  } catch (err) {
    throw fileFailureFromFs(err, 'stat');
  }
  checkStat(st, limits.maxSizeBytes);
  let handle: FileHandle;
  try {
    handle = await open(real, 'r');
  } catch (err) {
    throw fileFailureFromFs(err, 'open');
  }
  try {
    const fst = await handle.stat();
    checkStat(fst, limits.maxSizeBytes);
    if (fst.ino !== st.ino || fst.dev !== st.dev) throw new FileFailure('CHANGED_WHILE_READING', FILE_MESSAGES.replaced);
    return { handle, realPath: real, size: fst.size, mtimeMs: fst.mtimeMs };
  } catch (err) {
    await handle.close().catch(() => {});
    throw err instanceof FileFailure ? err : fileFailureFromFs(err, 'stat');
  }
}

function checkStat(st: { isDirectory(): boolean; isFile(): boolean; size: number }, max: number | null): void {
  if (st.isDirectory()) throw new FileFailure('IS_A_DIRECTORY', FILE_MESSAGES.directory);
  if (!st.isFile()) throw new FileFailure('IO_ERROR', FILE_MESSAGES.notRegular);
  if (max !== null && st.size > max) throw new FileFailure('TOO_LARGE', FILE_MESSAGES.tooLarge(st.size, max));
}
