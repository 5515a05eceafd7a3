import type { Dir } from 'node:fs';
import { lstat, opendir, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import type { SweepBudgetName, SweepCounters, SweepCriteria, SweepResultRow } from '@quarry/protocol';
import type { PathPolicy } from '../policy/path-policy.js';
import type { HashOutcome, HashPool } from './hash-pool.js';
import type { RootPosition } from './root-matcher.js';
import type { SweepFilters, WalkRoot } from './sweep-filters.js';

/** Candidates sent to the hash pool per batch. */
export const CANDIDATE_BATCH = 128;
/** A partial candidate batch waits at most this long, so rare matches still stream out promptly. */
export const CANDIDATE_MAX_WAIT_MS = 250;
/** Directory entries buffered per read by opendir. */
const DIR_BUFFER = 1024;
/** Directories read concurrently. */
const DIR_READERS = 4;

/** What the walk needs from outside. */
export interface WalkDeps {
  filters: SweepFilters;
  budgets: SweepCriteria['budgets'];
  policy: PathPolicy;
  pool: HashPool;
  owners: (uid: number) => string | null;
  /** Receives each match; may return a promise to slow the walk down (back-pressure). */
  emit: (row: SweepResultRow) => void | Promise<void>;
  signal: AbortSignal;
  /** Roots in the criteria that this platform cannot have (counted as missing). */
  foreignRoots: number;
}

/** How the walk ended: its counters, and which budget (if any) cut it short. */
export interface WalkSummary extends SweepCounters {
  truncated: boolean;
  budgetHit: SweepBudgetName | null;
}

interface Pending {
  path: string;
  depth: number;
  pos: RootPosition;
}

const MISSING = new Set(['ENOENT', 'ENOTDIR']);

/**
 * One sweep walk. Iterative (an explicit stack, no recursion), with fs.opendir. Decisions:
 * - Symbolic links met while walking are neither followed nor listed (like `find -P`), so links
 *   cannot lead the walk into loops or out of the policy's reach; a root's own base is resolved
 *   (like `find -H`). Directories already walked (same device and inode, e.g. overlapping roots or
 *   bind mounts) are skipped and counted in `skippedLoops`.
 * - Denied paths (agent policy) are neither listed nor hashed; a denied directory is not entered.
 * - Directories and candidate files that cannot be read are skipped and counted.
 * - Every regular file seen counts against maxFiles; only those the root pattern selects and the
 *   name globs accept are hashed (the size and date filters run on a stat in the hash worker first).
 */
export class SweepWalk {
  readonly #d: WalkDeps;
  readonly #counters: SweepCounters = {
    filesListed: 0,
    filesMatched: 0,
    bytesHashed: 0,
    skippedUnreadable: 0,
    skippedLoops: 0,
    skippedDenied: 0,
    rootsMissing: 0,
    durationMs: 0,
  };
  /** Directories walked, by device and inode: which roots walked them, and whether a literal one did. */
  readonly #visited = new Map<string, { roots: Set<number>; byLiteral: boolean }>();
  #rootIndex = 0;
  readonly #inflight = new Set<Promise<void>>();
  #candidates: string[] = [];
  #oldestCandidateAt = 0;
  #startedAt = 0;
  #stopped: SweepBudgetName | 'cancelled' | null = null;
  #depthPruned = false;
  #error: unknown = null;

  constructor(deps: WalkDeps) {
    this.#d = deps;
  }

  /** Counters so far (for progress reports while walking). */
  progress(): SweepCounters {
    return { ...this.#counters, bytesHashed: this.#d.pool.bytesHashed, durationMs: Date.now() - this.#startedAt };
  }

  /** Walks every root; rejects with the signal's reason when cancelled. */
  async run(): Promise<WalkSummary> {
    this.#startedAt = Date.now();
    this.#counters.rootsMissing += this.#d.foreignRoots;
    const onAbort = () => this.#stop('cancelled');
    this.#d.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => this.#stop('maxSeconds'), this.#d.budgets.maxSeconds * 1000);
    try {
      for (const [i, root] of this.#d.filters.roots.entries()) {
        if (this.#stopped) break;
        this.#rootIndex = i;
        await this.#walkRoot(root);
      }
      await this.#flushCandidates();
      while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
    } finally {
      clearTimeout(timer);
      this.#d.signal.removeEventListener('abort', onAbort);
    }
    if (this.#error) throw this.#error;
    this.#d.signal.throwIfAborted();
    const budgetHit = this.#stopped && this.#stopped !== 'cancelled' ? this.#stopped : this.#depthPruned ? 'maxDepth' : null;
    return { ...this.progress(), truncated: budgetHit !== null, budgetHit };
  }

  #stop(reason: SweepBudgetName | 'cancelled'): void {
    if (this.#stopped) return;
    this.#stopped = reason;
    // Out of time or cancelled: files being hashed are dropped rather than waited for.
    if (reason === 'maxSeconds' || reason === 'cancelled') this.#d.pool.cancel();
  }

  async #walkRoot(root: WalkRoot): Promise<void> {
    const { policy } = this.#d;
    let st;
    try {
      st = await stat(root.base);
    } catch (err) {
      if (MISSING.has((err as NodeJS.ErrnoException).code ?? '')) this.#counters.rootsMissing++;
      else this.#counters.skippedUnreadable++;
      return;
    }
    const pos = root.matcher.start();
    if (st.isFile()) {
      if (pos.kind !== 'inside') return;
      if (!policy.isAllowed(root.base)) this.#counters.skippedDenied++;
      else if (this.#listFile()) await this.#candidate(root.base);
      return;
    }
    if (!st.isDirectory() || pos.kind === 'none') return;
    if (policy.isDenied(root.base)) {
      this.#counters.skippedDenied++;
      return;
    }
    if (!this.#firstVisit(st, root.literal)) return;
    const stack: Pending[] = [{ path: root.base, depth: 0, pos }];
    // A few directories are read at once: each read waits on the file system, not on the CPU.
    let active = 0;
    const waiting: Array<() => void> = [];
    const reader = async (): Promise<void> => {
      for (;;) {
        if (this.#stopped) return;
        const dir = stack.pop();
        if (!dir) {
          if (active === 0) return;
          await new Promise<void>((r) => waiting.push(r));
          continue;
        }
        active++;
        try {
          await this.#enter(root, dir, stack);
        } finally {
          active--;
          // New directories may be on the stack, or the walk may be over: every idle reader looks again.
          for (const w of waiting.splice(0)) w();
        }
      }
    };
    await Promise.all(Array.from({ length: DIR_READERS }, reader));
  }

  /** Reads one directory unless it vanished, is no longer a directory, or was walked already. */
  async #enter(root: WalkRoot, dir: Pending, stack: Pending[]): Promise<void> {
    if (dir.depth > 0) {
      let st;
      try {
        st = await lstat(dir.path);
      } catch {
        return; // gone since it was listed
      }
      if (!st.isDirectory() || !this.#firstVisit(st, root.literal)) return;
    }
    await this.#readDirectory(root, dir, stack);
  }

  /**
   * False for a directory this root walked already (a loop, e.g. a bind mount of an ancestor) or a
   * literal root walked already (it selected everything below; e.g. roots /srv and /srv/www). A
   * directory only a glob root walked may still hold what this root selects, so it is walked again.
   */
  #firstVisit(st: { dev: number; ino: number }, literal: boolean): boolean {
    const key = `${st.dev}:${st.ino}`;
    const seen = this.#visited.get(key);
    if (seen && (seen.byLiteral || seen.roots.has(this.#rootIndex))) {
      this.#counters.skippedLoops++;
      return false;
    }
    if (seen) {
      seen.roots.add(this.#rootIndex);
      seen.byLiteral ||= literal;
    } else {
      this.#visited.set(key, { roots: new Set([this.#rootIndex]), byLiteral: literal });
    }
    return true;
  }

  async #readDirectory(root: WalkRoot, dir: Pending, stack: Pending[]): Promise<void> {
    const { policy, filters, budgets } = this.#d;
    let handle: Dir;
    try {
      handle = await opendir(dir.path, { bufferSize: DIR_BUFFER });
    } catch (err) {
      if (!MISSING.has((err as NodeJS.ErrnoException).code ?? '')) this.#counters.skippedUnreadable++;
      return;
    }
    try {
      for (;;) {
        if (this.#stopped) break;
        if (this.#candidates.length > 0 && Date.now() - this.#oldestCandidateAt > CANDIDATE_MAX_WAIT_MS) await this.#flushCandidates();
        const entry = await handle.read();
        if (!entry) break;
        // Plain concatenation: path.join would re-normalise a path that is already normal.
        const path = dir.path.endsWith(sep) ? dir.path + entry.name : dir.path + sep + entry.name;
        if (entry.isDirectory()) {
          const pos = root.matcher.step(dir.pos, entry.name);
          if (pos.kind === 'none') continue;
          if (policy.isDenied(path)) {
            this.#counters.skippedDenied++;
            continue;
          }
          // Its entries would lie at depth + 2.
          if (dir.depth + 1 >= budgets.maxDepth) {
            this.#depthPruned = true;
            continue;
          }
          stack.push({ path, depth: dir.depth + 1, pos });
        } else if (entry.isFile()) {
          if (!policy.isAllowed(path)) {
            this.#counters.skippedDenied++;
            continue;
          }
          if (!this.#listFile()) break;
          if (root.matcher.step(dir.pos, entry.name).kind !== 'inside' || !filters.nameMatches(entry.name)) continue;
          await this.#candidate(path);
        }
        // Links, sockets, devices and pipes are not followed and not listed.
      }
    } catch (err) {
      if (this.#d.signal.aborted) throw err;
      this.#counters.skippedUnreadable++;
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /** Counts one more listed file; false (and stop) when maxFiles is used up. */
  #listFile(): boolean {
    if (this.#counters.filesListed >= this.#d.budgets.maxFiles) {
      this.#stop('maxFiles');
      return false;
    }
    this.#counters.filesListed++;
    return true;
  }

  async #candidate(path: string): Promise<void> {
    if (this.#candidates.length === 0) this.#oldestCandidateAt = Date.now();
    this.#candidates.push(path);
    if (this.#candidates.length >= CANDIDATE_BATCH) await this.#flushCandidates();
  }

  async #flushCandidates(): Promise<void> {
    if (this.#candidates.length === 0) return;
    const paths = this.#candidates;
    this.#candidates = [];
    await this.#d.pool.room();
    const job: Promise<void> = this.#d.pool
      .submit(paths)
      .then((outcomes) => this.#collect(paths, outcomes))
      .catch((err: unknown) => {
        this.#error ??= err;
        this.#stop('cancelled');
      })
      .finally(() => this.#inflight.delete(job));
    this.#inflight.add(job);
  }

  async #collect(paths: string[], outcomes: HashOutcome[]): Promise<void> {
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i]!;
      if (o.kind === 'unreadable') this.#counters.skippedUnreadable++;
      else if (o.kind === 'budget') this.#stop('maxBytesHashed');
      if (o.kind !== 'hashed' || !this.#d.filters.hashMatches(o)) continue;
      this.#counters.filesMatched++;
      const pending = this.#d.emit({
        path: paths[i]!,
        size: o.size,
        mtimeMs: o.mtimeMs,
        owner: this.#d.owners(o.uid),
        md5: o.md5,
        sha1: o.sha1,
        sha256: o.sha256,
      });
      // Only wait when the sender asks for it: an await per result would cost a tick each.
      if (pending) await pending;
    }
  }
}
