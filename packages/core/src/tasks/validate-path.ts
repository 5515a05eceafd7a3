import { MAX_PATH_LENGTH } from '@quarry/protocol';

/** Why a path was refused, shown to users in PATH_INVALID details. */
export const PATH_REASONS = {
  empty: 'path is empty',
  tooLong: `path is longer than ${MAX_PATH_LENGTH} characters`,
  control: 'path contains a NUL or other control character',
  notAbsolute: 'path must be absolute: /…, C:\\…, C:/… or \\\\server\\share\\…',
  dotSegment: "path must not contain '.' or '..' segments",
  uncIncomplete: 'UNC path must name a server and a share: \\\\server\\share\\…',
} as const;

const DRIVE_ABSOLUTE = /^[A-Za-z]:[\\/]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Returns why `path` is not an acceptable absolute path, or null when it is fine. */
export function pathProblem(path: string): string | null {
  if (path.length === 0) return PATH_REASONS.empty;
  if (path.length > MAX_PATH_LENGTH) return PATH_REASONS.tooLong;
  if (CONTROL.test(path)) return PATH_REASONS.control;
  if (path.startsWith('\\\\')) return uncProblem(path);
  if (DRIVE_ABSOLUTE.test(path)) return dotSegmentProblem(path.slice(3).split(/[\\/]/));
  if (path.startsWith('/')) return dotSegmentProblem(path.slice(1).split('/'));
  return PATH_REASONS.notAbsolute;
}

function uncProblem(path: string): string | null {
  const parts = path.slice(2).split('\\');
  if (parts.length < 3 || !parts[0] || !parts[1]) return PATH_REASONS.uncIncomplete;
  return dotSegmentProblem(parts);
}

function dotSegmentProblem(segments: string[]): string | null {
  return segments.some((s) => s === '.' || s === '..') ? PATH_REASONS.dotSegment : null;
}
