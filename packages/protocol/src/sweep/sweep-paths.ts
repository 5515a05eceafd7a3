import { hasGlobChars, segmentGlobProblem } from './glob.js';

/**
 * Sweep roots: absolute paths whose segments may be globs. A root selects what it matches, and a
 * matched directory brings everything below it: `/home/*\/Downloads` sweeps every user's Downloads
 * folder, `/srv/**\/*.log` every `.log` file (or `.log` directory) under /srv. The agent walks from
 * the root's longest literal prefix (`base`) and matches the remaining segments (`pattern`).
 */

/** Why a root was refused; shown in ROOT_INVALID details. */
export const ROOT_REASONS = {
  empty: 'root is empty',
  tooLong: 'root is longer than 4096 characters',
  control: 'root contains a NUL or other control character',
  notAbsolute: 'root must be absolute: /…, C:\\…, C:/… or \\\\server\\share\\…',
  dotSegment: "root must not contain '.' or '..' segments",
  uncIncomplete: 'UNC root must name a server and a share: \\\\server\\share\\…',
  globInPrefix: 'the drive or UNC server and share of a root cannot be a glob',
} as const;

/** Longest root accepted. */
export const MAX_ROOT_LENGTH = 4096;

/** A root split into the part walked to literally and the glob segments matched below it. */
export interface SplitRoot {
  /** `posix` roots use `/`; `windows` roots (drive or UNC) accept `\` and `/`. */
  style: 'posix' | 'windows';
  /** The literal prefix in the platform's form (`/srv`, `C:\Users`, `\\srv\share\x`). */
  base: string;
  /** Remaining segments, at least one of which (the first) holds glob characters; empty when none. */
  pattern: string[];
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

interface Parsed {
  style: 'posix' | 'windows';
  /** `/`, `C:\` or `\\server\share\`. */
  prefix: string;
  segments: string[];
}

function parse(root: string): Parsed | string {
  if (root.length === 0) return ROOT_REASONS.empty;
  if (root.length > MAX_ROOT_LENGTH) return ROOT_REASONS.tooLong;
  if (CONTROL.test(root)) return ROOT_REASONS.control;
  if (root.startsWith('\\\\') || root.startsWith('//')) {
    const parts = root.slice(2).split(/[\\/]/);
    const [server, share] = parts;
    if (!server || !share) return ROOT_REASONS.uncIncomplete;
    if (hasGlobChars(server) || hasGlobChars(share)) return ROOT_REASONS.globInPrefix;
    return { style: 'windows', prefix: `\\\\${server}\\${share}\\`, segments: parts.slice(2).filter((s) => s !== '') };
  }
  if (/^[A-Za-z]:[\\/]/.test(root)) {
    return { style: 'windows', prefix: `${root.slice(0, 1).toUpperCase()}:\\`, segments: root.slice(3).split(/[\\/]/).filter((s) => s !== '') };
  }
  if (root.startsWith('/')) return { style: 'posix', prefix: '/', segments: root.slice(1).split('/').filter((s) => s !== '') };
  return ROOT_REASONS.notAbsolute;
}

/**
 * Why a root is unusable: `{ code: 'ROOT_INVALID' }` for its shape (relative, `..`, control
 * characters), `{ code: 'GLOB_INVALID' }` for a malformed glob segment; null when it is fine.
 */
export function rootProblem(root: string): { code: 'ROOT_INVALID' | 'GLOB_INVALID'; reason: string } | null {
  const parsed = parse(root);
  if (typeof parsed === 'string') return { code: 'ROOT_INVALID', reason: parsed };
  if (parsed.segments.some((s) => s === '.' || s === '..')) return { code: 'ROOT_INVALID', reason: ROOT_REASONS.dotSegment };
  for (const segment of parsed.segments) {
    if (!hasGlobChars(segment) && !segment.includes('**')) continue;
    const reason = segmentGlobProblem(segment);
    if (reason) return { code: 'GLOB_INVALID', reason };
  }
  return null;
}

/** Splits a valid root (see rootProblem) at its first glob segment. */
export function splitRoot(root: string): SplitRoot {
  const parsed = parse(root);
  if (typeof parsed === 'string') throw new Error(`invalid root: ${parsed}`);
  const firstGlob = parsed.segments.findIndex((s) => hasGlobChars(s));
  const literal = firstGlob === -1 ? parsed.segments : parsed.segments.slice(0, firstGlob);
  const sep = parsed.style === 'posix' ? '/' : '\\';
  return {
    style: parsed.style,
    base: parsed.prefix + literal.join(sep),
    pattern: firstGlob === -1 ? [] : parsed.segments.slice(firstGlob),
  };
}
