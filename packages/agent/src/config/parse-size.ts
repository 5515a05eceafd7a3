const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * Parses a byte count: a plain integer, or one with a binary suffix (`512k`, `10M`, `2GiB`, `1gb`;
 * all multiples of 1024 since that is what file sizes are shown in). Undefined when invalid.
 */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  return Number.isSafeInteger(value) ? value : undefined;
}
