/** Hash algorithms told apart by the length of their hex form. */
export type HashKind = 'md5' | 'sha1' | 'sha256';

const HEX = /^[0-9a-fA-F]+$/;
const BY_LENGTH: Readonly<Record<number, HashKind>> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

/** The algorithm of a hex hash, or null when it is none of md5, sha1, sha256. */
export function hashKindOf(value: string): HashKind | null {
  if (!HEX.test(value)) return null;
  return BY_LENGTH[value.length] ?? null;
}

/** A hash query parameter as store filter fields (lower-cased); empty when absent. */
export function hashFilterOf(value: string | undefined): { md5?: string; sha1?: string; sha256?: string } {
  if (value === undefined) return {};
  const kind = hashKindOf(value);
  return kind ? { [kind]: value.toLowerCase() } : {};
}
