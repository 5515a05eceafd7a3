// A large generated file tree for the sweep end-to-end test and benchmark: nested folders, a
// symlink loop, an unreadable folder and duplicate contents under different names.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What was generated, for assertions. */
export interface SweepTree {
  root: string;
  /** Regular files reachable without following links (what `find ROOT -type f` lists minus `locked`). */
  files: number;
  /** Files under the unreadable folder (listed by root's find, invisible to an unprivileged walker). */
  lockedFiles: number;
  lockedDir: string;
  /** Content shared by several files under different names, and where it lives. */
  duplicate: { sha256: string; paths: string[] };
  /** One larger file, for retrieval checks. */
  big: { path: string; sha256: string; size: number };
  bytes: number;
}

export interface SweepTreeOptions {
  /** Leaf directories are fanout³; files per leaf = ceil(files / fanout³). */
  files?: number;
  fanout?: number;
}

const DUPLICATE_EVERY = 997;
const BIG_FILES = 8;
const BIG_SIZE = 4 * 1024 * 1024 + 123;

/**
 * Writes the tree under `root` (created). Content is random bytes of 0–2 KiB per file, except every
 * DUPLICATE_EVERY-th file, which shares one content under its own name, and a few 4 MiB files.
 */
export async function generateSweepTree(root: string, options: SweepTreeOptions = {}): Promise<SweepTree> {
  const total = options.files ?? 100_000;
  const fanout = options.fanout ?? 10;
  const leaves: string[] = [];
  for (let a = 0; a < fanout; a++) {
    for (let b = 0; b < fanout; b++) {
      for (let c = 0; c < fanout; c++) leaves.push(join(root, `d${a}`, `s${b}`, `t${c}`));
    }
  }
  await Promise.all(leaves.map((d) => mkdir(d, { recursive: true })));
  const perLeaf = Math.ceil(total / leaves.length);
  const dupContent = randomBytes(777);
  const duplicate = { sha256: createHash('sha256').update(dupContent).digest('hex'), paths: [] as string[] };
  const jobs: Array<{ path: string; data: Buffer }> = [];
  let n = 0;
  for (const leaf of leaves) {
    for (let i = 0; i < perLeaf && n < total - BIG_FILES; i++, n++) {
      const isDup = n % DUPLICATE_EVERY === 0;
      const path = join(leaf, isDup ? `copy-${n}.dat` : `f${n}.${['txt', 'log', 'bin', 'js'][n % 4]}`);
      if (isDup) duplicate.paths.push(path);
      jobs.push({ path, data: isDup ? dupContent : randomBytes(n % 2048) });
    }
  }
  let big = { path: '', sha256: '', size: BIG_SIZE };
  for (let i = 0; i < BIG_FILES; i++, n++) {
    const data = randomBytes(BIG_SIZE);
    const path = join(root, `d${i % fanout}`, `big-${i}.bin`);
    if (i === 0) big = { path, sha256: createHash('sha256').update(data).digest('hex'), size: BIG_SIZE };
    jobs.push({ path, data });
  }
  let bytes = 0;
  // Synchronous writes: for 100,000 small files they beat any number of promises in flight, and
  // nothing else runs in this process while the tree is built.
  for (const j of jobs) {
    writeFileSync(j.path, j.data);
    bytes += j.data.length;
  }

  // A loop (a -> its own ancestor) and a link to a sibling directory: neither is followed.
  await symlink('..', join(root, 'd0', 's0', 'loop'));
  await symlink(join(root, 'd1'), join(root, 'd0', 'to-d1'));
  await symlink(join(root, 'd0', 's0', 't0', 'f0.txt'), join(root, 'link-to-file.txt'));
  // The unreadable folder: readable by its owner (root) only after the chmod.
  const lockedDir = join(root, 'locked');
  await mkdir(join(lockedDir, 'inner'), { recursive: true });
  const lockedFiles = 3;
  for (let i = 0; i < lockedFiles; i++) await writeFile(join(lockedDir, i === 2 ? 'inner/secret.txt' : `secret-${i}.txt`), `secret ${i}\n`);
  await chmod(lockedDir, 0o000);
  return { root, files: jobs.length, lockedFiles, lockedDir, duplicate, big, bytes };
}
