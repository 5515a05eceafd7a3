import { compileSegmentGlob } from '@quarry/protocol';

/**
 * Where a path stands against a root's glob segments, tracked as the set of pattern positions the
 * path so far can be at (a small NFA: `**` stays or moves on). `inside`: a prefix of the path
 * matched the whole pattern, so the path and everything below it belong to the sweep. `maybe`: a
 * descendant might still match (walk into it). `none`: nothing below can match (prune).
 */
export type RootPosition = { kind: 'inside' } | { kind: 'maybe'; states: readonly number[] } | { kind: 'none' };

export const INSIDE: RootPosition = { kind: 'inside' };

/** Matches paths below a root's literal base against the root's remaining glob segments. */
export class RootMatcher {
  readonly #segments: ReadonlyArray<RegExp | '**'>;

  constructor(pattern: readonly string[], options: { caseInsensitive: boolean }) {
    this.#segments = pattern.map((s) => (s === '**' ? '**' : compileSegmentGlob(s, options)));
  }

  /** Position of the walk base itself. */
  start(): RootPosition {
    return this.#settle(this.#closure([0]));
  }

  /** Position after descending from `from` into the entry `name`. */
  step(from: RootPosition, name: string): RootPosition {
    if (from.kind !== 'maybe') return from;
    const next = new Set<number>();
    for (const i of from.states) {
      const seg = this.#segments[i];
      if (seg === undefined) continue;
      if (seg === '**') next.add(i);
      else if (seg.test(name)) next.add(i + 1);
    }
    return this.#settle(this.#closure([...next]));
  }

  #closure(states: number[]): number[] {
    const out = new Set<number>();
    const stack = [...states];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (out.has(i)) continue;
      out.add(i);
      if (this.#segments[i] === '**') stack.push(i + 1);
    }
    return [...out].sort((a, b) => a - b);
  }

  #settle(states: number[]): RootPosition {
    if (states.includes(this.#segments.length)) return INSIDE;
    return states.length === 0 ? { kind: 'none' } : { kind: 'maybe', states };
  }
}
