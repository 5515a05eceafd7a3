// Hashing worker of the sweep hash pool (see hash-pool.ts, which documents the protocol). Plain
// JavaScript on purpose: workers do not inherit the tsx loader the agent's launcher registers.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import * as nodeCrypto from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const READ_BYTES = 1024 * 1024;
const { createHash } = nodeCrypto;
/** One-shot digest: crypto.hash from Node 20.12; the engines range starts at 20.11. */
const digest =
  typeof nodeCrypto.hash === 'function'
    ? (alg, data) => nodeCrypto.hash(alg, data, 'hex')
    : (alg, data) => createHash(alg).update(data).digest('hex');
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const { flags, bytes, budget, minSize, maxSize, modifiedSinceMs, hashes } = workerData;
// With a hash list, files whose hashes are not in it come back as a bare code: most of a hash
// search is misses, and three hex strings per miss would only cost copying.
const wanted = hashes.length > 0 ? new Set(hashes) : null;
// A hash search needs only the kinds of digest it lists to tell a miss (most files); the others
// are computed for matches alone. Kinds by hex length: md5 32, sha1 40, sha256 64.
const KIND_BY_LENGTH = { 32: 'md5', 40: 'sha1', 64: 'sha256' };
const ALGORITHMS = ['md5', 'sha1', 'sha256'];
const searched = wanted ? ALGORITHMS.filter((a) => hashes.some((h) => KIND_BY_LENGTH[h.length] === a)) : ALGORITHMS;
const cancelFlags = new Int32Array(flags);
const hashedBytes = new BigInt64Array(bytes);
const filtered = minSize !== null || maxSize !== null || modifiedSinceMs !== null;
const buf = Buffer.allocUnsafe(READ_BYTES);

const outside = (size, mtimeMs) =>
  (minSize !== null && size < minSize) || (maxSize !== null && size > maxSize) || (modifiedSinceMs !== null && mtimeMs < modifiedSinceMs);

const UNREADABLE = new Set(['EACCES', 'EPERM', 'EIO', 'EBUSY']);

/** Outcome codes: 0 hashed, 1 filtered out, 2 unreadable, 3 gone or not a regular file, 4 budget, 5 cancelled, 6 hashed but not in the hash list. */
function hashOne(path, out) {
  if (Atomics.load(cancelFlags, 0) !== 0) return out.push(5, 0, 0, 0, '', '', '');
  let fd;
  try {
    // A stat first spares opening files the size or date filters reject.
    if (filtered) {
      const st = lstatSync(path);
      if (!st.isFile()) return out.push(3, 0, 0, 0, '', '', '');
      if (outside(st.size, st.mtimeMs)) return out.push(1, 0, 0, 0, '', '', '');
    }
    fd = openSync(path, OPEN_FLAGS);
    const st = fstatSync(fd);
    if (!st.isFile()) return out.push(3, 0, 0, 0, '', '', '');
    if (outside(st.size, st.mtimeMs)) return out.push(1, 0, 0, 0, '', '', '');
    const reserved = BigInt(st.size);
    if (Atomics.add(hashedBytes, 0, reserved) + reserved > budget) {
      Atomics.sub(hashedBytes, 0, reserved);
      return out.push(4, 0, 0, 0, '', '', '');
    }
    let pos = 0;
    let h;
    const first = readSync(fd, buf, 0, READ_BYTES, 0);
    if (first < READ_BYTES) {
      // The whole file in one read (most files a sweep meets): one-shot digests skip creating
      // three hash objects per file, about a quarter of the hashing cost of a small file.
      const view = buf.subarray(0, first);
      pos = first;
      const byKind = {};
      for (const a of searched) byKind[a] = digest(a, view);
      if (wanted && !searched.some((a) => wanted.has(byKind[a]))) {
        countHashed(pos, reserved);
        return out.push(6, 0, 0, 0, '', '', '');
      }
      h = ALGORITHMS.map((a) => byKind[a] ?? digest(a, view));
    } else {
      h = hashRest(fd, first);
      if (h === null) {
        Atomics.sub(hashedBytes, 0, reserved);
        return out.push(5, 0, 0, 0, '', '', '');
      }
      pos = h.pop();
    }
    countHashed(pos, reserved);
    if (wanted && !wanted.has(h[0]) && !wanted.has(h[1]) && !wanted.has(h[2])) return out.push(6, 0, 0, 0, '', '', '');
    out.push(0, pos, st.mtimeMs, st.uid, h[0], h[1], h[2]);
  } catch (err) {
    out.push(UNREADABLE.has(err?.code) ? 2 : 3, 0, 0, 0, '', '', '');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The file grew or shrank while read: account for what was really hashed. */
function countHashed(pos, reserved) {
  if (BigInt(pos) !== reserved) Atomics.add(hashedBytes, 0, BigInt(pos) - reserved);
}

/**
 * Hashes a file whose first READ_BYTES are in `buf`, reading the rest. Returns the three digests
 * and the bytes hashed, or null when the sweep was cancelled meanwhile.
 */
function hashRest(fd, first) {
  const md5 = createHash('md5');
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  let n = first;
  let pos = 0;
  for (;;) {
    if (n > 0) {
      const view = buf.subarray(0, n);
      md5.update(view);
      sha1.update(view);
      sha256.update(view);
      pos += n;
    }
    // A short read is the end for a regular file; it spares one read per file.
    if (n < READ_BYTES) break;
    if (Atomics.load(cancelFlags, 0) !== 0) return null;
    n = readSync(fd, buf, 0, READ_BYTES, pos);
  }
  return [md5.digest('hex'), sha1.digest('hex'), sha256.digest('hex'), pos];
}

parentPort.on('message', (job) => {
  const out = [];
  for (const path of job.paths) hashOne(path, out);
  parentPort.postMessage({ id: job.id, out });
});
