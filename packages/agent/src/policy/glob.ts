/**
 * A small glob matcher for absolute paths: `*` (any run of characters within a segment), `?` (one
 * character within a segment) and `**` as a whole segment (any number of segments, including
 * none). Everything else is literal.
 *
 * Why not `path.matchesGlob`: on Node 20 it is experimental and prints an ExperimentalWarning on
 * first use; its semantics follow the host platform's path module (so a Windows agent and the tests
 * that exercise Windows rules on Linux would differ); and it has no case-insensitivity switch,
 * which macOS and Windows need. Policy is security-relevant, so the exact semantics live here.
 *
 * Paths and patterns are compared in forward-slash form; Windows callers convert `\` first.
 */
export function compileGlob(pattern: string, options: { caseInsensitive: boolean }): RegExp {
  let re = '^';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*' && (i === 0 || pattern[i - 1] === '/')) {
      const after = pattern[i + 2];
      if (after === '/') {
        re += '(?:.*/)?';
        i += 3;
        continue;
      }
      if (after === undefined) {
        re += '.*';
        i += 2;
        continue;
      }
    }
    if (ch === '*') {
      while (pattern[i + 1] === '*') i += 1;
      re += '[^/]*';
    } else if (ch === '?') {
      re += '[^/]';
    } else {
      re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    i += 1;
  }
  return new RegExp(`${re}$`, options.caseInsensitive ? 'si' : 's');
}
