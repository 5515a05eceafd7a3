/**
 * SQL LIKE patterns (with `\` as the escape character) for case-insensitive searches: stores
 * compare them with the lower-cased column, which behaves the same on SQLite and PostgreSQL.
 */

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

/** True when the text holds `*` or `?` and is meant as a glob. */
export function looksLikeGlob(text: string): boolean {
  return /[*?]/.test(text);
}

/** `*` → any run, `?` → one character, the rest literal. Character classes are taken literally. */
export function globToLike(glob: string): string {
  let out = '';
  for (const ch of glob.toLowerCase()) out += ch === '*' ? '%' : ch === '?' ? '_' : escapeLike(ch);
  // `**` means the same as `*` here.
  return out.replace(/%+/g, '%');
}

/** A name filter: a glob, or an exact name. */
export function nameLike(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  return looksLikeGlob(name) ? globToLike(name) : escapeLike(name.toLowerCase());
}

/** A path filter: a glob over the whole path, or a substring. */
export function pathLike(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  return looksLikeGlob(path) ? globToLike(path) : `%${escapeLike(path.toLowerCase())}%`;
}
