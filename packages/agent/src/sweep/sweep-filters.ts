import { compileSegmentGlob, splitRoot, type SweepCriteria } from '@quarry/protocol';
import { isCaseInsensitivePlatform } from '../policy/path-policy.js';
import { RootMatcher } from './root-matcher.js';

/** One root as the walker uses it. */
export interface WalkRoot {
  /** The root as given, for logs. */
  root: string;
  /** Literal prefix in this platform's form: where the walk starts. */
  base: string;
  matcher: RootMatcher;
  /** No glob segments: the root selects everything below its base. */
  literal: boolean;
}

/** The criteria compiled for this platform. */
export interface SweepFilters {
  roots: WalkRoot[];
  /** True when the name passes the name globs (or there are none). */
  nameMatches(name: string): boolean;
  /** Size and mtime bounds, applied after a stat; null when absent. */
  minSize: number | null;
  maxSize: number | null;
  modifiedSinceMs: number | null;
  /** True when the hashes pass the hash list (or there is none). */
  hashMatches(h: { md5: string; sha1: string; sha256: string }): boolean;
}

/**
 * Compiles criteria for the agent's platform. Roots of the other platform's style (a `C:\` root on
 * Linux) select nothing there and are dropped. Name and root globs are case-insensitive where the
 * platform's file systems are (Windows, macOS), like the path policy.
 */
export function compileSweepFilters(criteria: SweepCriteria, platform: NodeJS.Platform = process.platform): SweepFilters {
  const caseInsensitive = isCaseInsensitivePlatform(platform);
  const wantStyle = platform === 'win32' ? 'windows' : 'posix';
  const roots: WalkRoot[] = [];
  for (const root of criteria.roots) {
    const split = splitRoot(root);
    if (split.style !== wantStyle) continue;
    roots.push({ root, base: split.base, matcher: new RootMatcher(split.pattern, { caseInsensitive }), literal: split.pattern.length === 0 });
  }
  const names = criteria.names.map((n) => compileSegmentGlob(n, { caseInsensitive }));
  const hashes = new Set(criteria.hashes);
  return {
    roots,
    nameMatches: names.length === 0 ? () => true : (name) => names.some((re) => re.test(name)),
    minSize: criteria.minSize,
    maxSize: criteria.maxSize,
    modifiedSinceMs: criteria.modifiedSince === null ? null : Date.parse(criteria.modifiedSince),
    hashMatches: hashes.size === 0 ? () => true : (h) => hashes.has(h.md5) || hashes.has(h.sha1) || hashes.has(h.sha256),
  };
}
