/**
 * The glob syntax of sweep criteria, shared by the server (which refuses malformed patterns with
 * GLOB_INVALID) and the agent (which matches with it), so both read a pattern the same way.
 *
 * Within one path segment: `*` any run of characters, `?` one character, `[abc]` / `[a-z]` one
 * character of a class, `[!abc]` or `[^abc]` one character not in it. A segment that is exactly
 * `**` (roots only) stands for any number of segments, including none. Everything else is literal;
 * there is no escape character (`\` separates segments on Windows).
 */

/** Why a pattern was refused; shown in GLOB_INVALID details. */
export const GLOB_REASONS = {
  empty: 'pattern is empty',
  control: 'pattern contains a NUL or other control character',
  unclosedClass: "'[' has no matching ']'",
  emptyClass: "character class '[]' is empty",
  doubleStar: "'**' must be a whole path segment (as in /data/**/x), not part of one",
  doubleStarInName: "'**' is only allowed in roots; a name pattern matches one name",
  separatorInName: "a name pattern must not contain '/' or '\\'",
  tooLong: 'pattern is too long',
} as const;

/** Longest name pattern accepted. */
export const MAX_NAME_PATTERN_LENGTH = 255;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const GLOB_CHARS = /[*?[]/;

/** True when the segment holds a glob character (so it cannot be walked to literally). */
export function hasGlobChars(segment: string): boolean {
  return GLOB_CHARS.test(segment);
}

/** Why one path segment (or one name pattern) is not a valid glob, or null. `**` is not checked here. */
export function segmentGlobProblem(segment: string): string | null {
  if (segment.length === 0) return GLOB_REASONS.empty;
  if (CONTROL.test(segment)) return GLOB_REASONS.control;
  if (segment !== '**' && segment.includes('**')) return GLOB_REASONS.doubleStar;
  for (let i = 0; i < segment.length; i++) {
    if (segment[i] !== '[') continue;
    const end = classEnd(segment, i);
    if (end === -1) return GLOB_REASONS.unclosedClass;
    const body = segment.slice(i + 1, end).replace(/^[!^]/, '');
    if (body.length === 0) return GLOB_REASONS.emptyClass;
    i = end;
  }
  return null;
}

/** Why a name pattern is invalid, or null. */
export function namePatternProblem(pattern: string): string | null {
  if (pattern.length > MAX_NAME_PATTERN_LENGTH) return GLOB_REASONS.tooLong;
  if (pattern.includes('/') || pattern.includes('\\')) return GLOB_REASONS.separatorInName;
  if (pattern === '**' || pattern.includes('**')) return GLOB_REASONS.doubleStarInName;
  return segmentGlobProblem(pattern);
}

/**
 * Index of the `]` closing the class opened at `open`, or -1. A `]` right after `[` (or `[!`)
 * is a member, as in POSIX shells.
 */
function classEnd(s: string, open: number): number {
  let i = open + 1;
  if (s[i] === '!' || s[i] === '^') i++;
  if (s[i] === ']') i++;
  for (; i < s.length; i++) if (s[i] === ']') return i;
  return -1;
}

/** Regular-expression source matching one segment (no anchors). The segment must be valid. */
export function segmentRegexSource(segment: string): string {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '*') {
      re += '[^/]*';
    } else if (ch === '?') {
      re += '[^/]';
    } else if (ch === '[') {
      const end = classEnd(segment, i);
      let body = segment.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else {
      re += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return re;
}

/** Compiles one segment or name pattern to an anchored RegExp. */
export function compileSegmentGlob(segment: string, options: { caseInsensitive: boolean }): RegExp {
  return new RegExp(`^${segmentRegexSource(segment)}$`, options.caseInsensitive ? 'si' : 's');
}
