/**
 * Renders rows as left-aligned columns separated by two spaces, with a header line. The last
 * column is not padded so lines carry no trailing spaces.
 */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    headers
      .map((_, i) => {
        const cell = cells[i] ?? '';
        return i === headers.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - width(cell));
      })
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Label/value lines with the values aligned, e.g. `sha256  <hex>`. */
export function renderPairs(pairs: ReadonlyArray<readonly [string, string]>, minLabelWidth = 0): string {
  const w = Math.max(minLabelWidth, ...pairs.map(([k]) => width(k)));
  return pairs.map(([k, v]) => `${k}${' '.repeat(w - width(k))}  ${v}`.trimEnd()).join('\n');
}

/** Code points, so accented hostnames do not skew columns. */
function width(s: string): number {
  return [...s].length;
}
