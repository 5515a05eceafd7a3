/** Result of normalising a requested path: the path to open, or why it is not acceptable. */
export type NormalisedPath = { ok: true; path: string } | { ok: false; reason: string };

/** Reasons shown to users in INVALID_PATH failures. */
export const PATH_MESSAGES = {
  empty: 'path is empty',
  nul: 'path contains a NUL character',
  relative: 'path is not absolute',
  windowsOnPosix: 'a Windows path cannot be retrieved from a non-Windows endpoint',
  dotDot: "path contains a '..' segment",
  device: 'Windows device and long-path prefixes (\\\\?\\, \\\\.\\) are not accepted',
  driveRelative: 'drive-relative Windows paths (C:file, \\file) are not accepted',
  windowsSegment: "a Windows path segment may not contain ':' or end with '.' or a space",
  uncIncomplete: 'a UNC path needs \\\\server\\share\\file',
} as const;

/** True for `C:\…`, `C:/…`, `C:` and UNC-style `\\server…` paths. */
export function looksLikeWindowsPath(path: string): boolean {
  return /^[A-Za-z]:/.test(path) || path.startsWith('\\\\');
}

/**
 * Validates and canonicalises a requested path for the agent's platform, before any policy check,
 * so that the string matched against globs is the string opened. `..` is rejected outright rather
 * than resolved: resolving it lexically can disagree with the file system when symlinks are
 * involved, and there is no legitimate need for it in a retrieval request.
 */
export function normalisePath(input: string, platform: NodeJS.Platform = process.platform): NormalisedPath {
  if (input.length === 0) return fail('empty');
  if (input.includes('\0')) return fail('nul');
  return platform === 'win32' ? normaliseWindows(input) : normalisePosix(input);
}

function normalisePosix(input: string): NormalisedPath {
  if (looksLikeWindowsPath(input)) return fail('windowsOnPosix');
  if (!input.startsWith('/')) return fail('relative');
  const segments = input.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return fail('dotDot');
  return { ok: true, path: `/${segments.join('/')}` };
}

function normaliseWindows(input: string): NormalisedPath {
  const p = input.replace(/\//g, '\\');
  if (p.startsWith('\\\\?\\') || p.startsWith('\\\\.\\')) return fail('device');
  let root: string;
  let rest: string;
  if (p.startsWith('\\\\')) {
    const parts = p.slice(2).split('\\');
    const [server, share] = parts;
    if (!server || !share || parts.length < 3) return fail('uncIncomplete');
    root = `\\\\${server}\\${share}\\`;
    rest = parts.slice(2).join('\\');
  } else if (/^[A-Za-z]:\\/.test(p)) {
    root = `${p.slice(0, 1).toUpperCase()}:\\`;
    rest = p.slice(3);
  } else if (/^[A-Za-z]:/.test(p) || p.startsWith('\\')) {
    return fail('driveRelative');
  } else {
    return fail('relative');
  }
  const segments = rest.split('\\').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return fail('dotDot');
  // Win32 silently strips trailing dots and spaces and treats ':' as an alternate data stream,
  // so `secret.txt.` or `secret.txt::$DATA` would open secret.txt while dodging a `*.txt` deny glob.
  if (segments.some((s) => s.includes(':') || /[. ]$/.test(s))) return fail('windowsSegment');
  return { ok: true, path: root + segments.join('\\') };
}

function fail(key: keyof typeof PATH_MESSAGES): NormalisedPath {
  return { ok: false, reason: PATH_MESSAGES[key] };
}
