// Worker side of whole-file-hasher.ts. Plain JavaScript: worker threads do not inherit the tsx
// loader the agent's own TypeScript runs under. `workerData.algorithms` names the digests
// (md5, sha1 and sha256 unless told); a digest answers them all and starts afresh, so one worker
// can hash a run of chunks one after another.
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

// Each slice goes through all the hashes while it is still in the CPU cache.
const SLICE_BYTES = 256 * 1024;
const algorithms = workerData?.algorithms ?? ['md5', 'sha1', 'sha256'];
let hashes = algorithms.map((a) => createHash(a));

parentPort.on('message', (message) => {
  if (message.type === 'update') {
    const data = Buffer.from(message.buffer, message.offset, message.length);
    for (let at = 0; at < data.length; at += SLICE_BYTES) {
      const slice = data.subarray(at, at + SLICE_BYTES);
      for (const hash of hashes) hash.update(slice);
    }
    parentPort.postMessage({ type: 'updated' });
  } else if (message.type === 'digest') {
    const out = { type: 'digest' };
    algorithms.forEach((a, i) => (out[a] = hashes[i].digest('hex')));
    hashes = algorithms.map((a) => createHash(a));
    parentPort.postMessage(out);
  }
});
