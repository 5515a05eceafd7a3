import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SweepCriteria, SweepResultRow } from '@quarry/protocol';
import { createPathPolicy } from '../policy/path-policy.js';
import { HashPool } from './hash-pool.js';
import { compileSweepFilters } from './sweep-filters.js';
import { SweepWalk, type WalkSummary } from './walk-tree.js';

const BIG = { maxFiles: 1_000_000, maxBytesHashed: 1e12, maxDepth: 64, maxSeconds: 60 };

async function sweep(
  criteria: Partial<SweepCriteria> & { roots: string[] },
  options: { deny?: string[]; signal?: AbortSignal } = {},
): Promise<{ rows: SweepResultRow[]; summary: WalkSummary }> {
  const c: SweepCriteria = { names: [], minSize: null, maxSize: null, modifiedSince: null, hashes: [], ...criteria, budgets: { ...BIG, ...criteria.budgets } };
  const filters = compileSweepFilters(c);
  const pool = new HashPool({ budget: c.budgets.maxBytesHashed, minSize: c.minSize, maxSize: c.maxSize, modifiedSinceMs: filters.modifiedSinceMs, hashes: c.hashes, workers: 2 });
  const rows: SweepResultRow[] = [];
  try {
    const walk = new SweepWalk({
      filters,
      budgets: c.budgets,
      policy: createPathPolicy({ allow: [], deny: options.deny ?? [] }),
      pool,
      owners: (uid) => String(uid),
      emit: (r) => void rows.push(r),
      signal: options.signal ?? new AbortController().signal,
      foreignRoots: c.roots.length - filters.roots.length,
    });
    const summary = await walk.run();
    rows.sort((a, b) => a.path.localeCompare(b.path));
    return { rows, summary };
  } finally {
    await pool.close();
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('SweepWalk on a real tree', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'quarry-walk-'));
    // root/a/x.txt root/a/b/y.log root/a/b/c/z.txt root/big.bin root/same-1.dat root/same-2.dat
    await mkdir(join(root, 'a', 'b', 'c'), { recursive: true });
    await writeFile(join(root, 'a', 'x.txt'), 'x');
    await writeFile(join(root, 'a', 'b', 'y.log'), 'yy');
    await writeFile(join(root, 'a', 'b', 'c', 'z.txt'), 'zzz');
    await writeFile(join(root, 'big.bin'), Buffer.alloc(5000, 1));
    await writeFile(join(root, 'same-1.dat'), 'same');
    await writeFile(join(root, 'same-2.dat'), 'same');
    await symlink('..', join(root, 'a', 'b', 'loop'));
    await symlink(join(root, 'a', 'x.txt'), join(root, 'link.txt'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('lists and hashes every regular file once, without following links', async () => {
    const { rows, summary } = await sweep({ roots: [root] });
    assert.deepEqual(
      rows.map((r) => r.path.slice(root.length)),
      ['/a/b/c/z.txt', '/a/b/y.log', '/a/x.txt', '/big.bin', '/same-1.dat', '/same-2.dat'],
    );
    assert.equal(rows.find((r) => r.path.endsWith('y.log'))?.sha256, sha256('yy'));
    assert.equal(summary.filesListed, 6);
    assert.equal(summary.filesMatched, 6);
    assert.equal(summary.bytesHashed, 1 + 2 + 3 + 5000 + 4 + 4);
    assert.equal(summary.truncated, false);
    assert.equal(summary.budgetHit, null);
  });

  it('hashes files read in one piece and in several alike (empty, 1 MiB exactly, 2.5 MiB)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'quarry-walk-sizes-'));
    try {
      const contents = { 'empty.bin': Buffer.alloc(0), 'one-mib.bin': randomBytes(1024 * 1024), 'more.bin': randomBytes(2.5 * 1024 * 1024), 'small.txt': Buffer.from('small') };
      for (const [name, data] of Object.entries(contents)) await writeFile(join(dir, name), data);

      const { rows, summary } = await sweep({ roots: [dir] });

      const digest = (alg: string, data: Buffer) => createHash(alg).update(data).digest('hex');
      for (const [name, data] of Object.entries(contents)) {
        const row = rows.find((r) => r.path === join(dir, name));
        assert.deepEqual(
          row && { size: row.size, md5: row.md5, sha1: row.sha1, sha256: row.sha256 },
          { size: data.length, md5: digest('md5', data), sha1: digest('sha1', data), sha256: digest('sha256', data) },
          name,
        );
      }
      assert.equal(summary.bytesHashed, 5 + 3.5 * 1024 * 1024);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('applies names, sizes and the hash list', async () => {
    assert.deepEqual((await sweep({ roots: [root], names: ['*.txt'] })).rows.map((r) => r.path.slice(root.length)), ['/a/b/c/z.txt', '/a/x.txt']);
    assert.deepEqual((await sweep({ roots: [root], minSize: 3, maxSize: 4 })).rows.length, 3);
    const byHash = await sweep({ roots: [root], hashes: [sha256('same')] });
    assert.deepEqual(byHash.rows.map((r) => r.path.slice(root.length)), ['/same-1.dat', '/same-2.dat']);
    assert.equal(byHash.summary.filesMatched, 2);
    // Misses are told from the listed kinds alone; a match still carries all three digests.
    const digest = (alg: string, s: string) => createHash(alg).update(s).digest('hex');
    assert.equal(byHash.summary.bytesHashed, 1 + 2 + 3 + 5000 + 4 + 4);
    for (const [alg, text] of [['md5', 'yy'], ['sha1', 'x'], ['sha256', 'zzz']] as const) {
      const { rows } = await sweep({ roots: [root], hashes: [digest(alg, text), digest('md5', 'no such content')] });
      assert.deepEqual(
        rows.map((r) => [r.size, r.md5, r.sha1, r.sha256]),
        [[text.length, digest('md5', text), digest('sha1', text), digest('sha256', text)]],
        alg,
      );
    }
  });

  it('matches glob roots below their literal base', async () => {
    const { rows } = await sweep({ roots: [join(root, 'a', '*', '*.log'), join(root, '**', 'z.txt')] });
    assert.deepEqual(rows.map((r) => r.path.slice(root.length)), ['/a/b/c/z.txt', '/a/b/y.log']);
  });

  it('skips a directory reached twice (overlapping roots) and counts it', async () => {
    const { rows, summary } = await sweep({ roots: [join(root, 'a', 'b'), root] });
    assert.equal(rows.length, 6);
    assert.equal(summary.skippedLoops, 1);
  });

  it('hides denied paths: neither listed nor hashed', async () => {
    const { rows, summary } = await sweep({ roots: [root] }, { deny: [`${root}/a/b/**`, '**/*.bin'] });
    assert.deepEqual(rows.map((r) => r.path.slice(root.length)), ['/a/x.txt', '/same-1.dat', '/same-2.dat']);
    assert.equal(summary.filesListed, 3);
    assert.ok(summary.skippedDenied >= 3);
  });

  it('truncates at maxFiles, maxDepth and maxBytesHashed and says which', async () => {
    const files = await sweep({ roots: [root], budgets: { ...BIG, maxFiles: 2 } });
    assert.equal(files.summary.filesListed, 2);
    assert.equal(files.summary.budgetHit, 'maxFiles');
    assert.equal(files.summary.truncated, true);
    assert.equal((await sweep({ roots: [root], budgets: { ...BIG, maxFiles: 6 } })).summary.truncated, false, 'exactly maxFiles files is complete');

    const depth = await sweep({ roots: [root], budgets: { ...BIG, maxDepth: 2 } });
    assert.deepEqual(depth.rows.map((r) => r.path.slice(root.length)), ['/a/x.txt', '/big.bin', '/same-1.dat', '/same-2.dat']);
    assert.equal(depth.summary.budgetHit, 'maxDepth');

    const bytes = await sweep({ roots: [root], budgets: { ...BIG, maxBytesHashed: 100 } });
    assert.equal(bytes.summary.budgetHit, 'maxBytesHashed');
    assert.ok(bytes.summary.bytesHashed <= 100);
    assert.ok(!bytes.rows.some((r) => r.path.endsWith('big.bin')));
  });

  it('counts missing roots and roots of another platform', async () => {
    const { summary } = await sweep({ roots: [join(root, 'nope'), 'C:\\Windows'] });
    assert.equal(summary.rootsMissing, 2);
    assert.equal(summary.filesListed, 0);
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort(new Error('cancelled by server'));
    await assert.rejects(sweep({ roots: [root] }, { signal: ac.signal }), /cancelled by server/);
  });
});
