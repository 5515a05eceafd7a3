// Worker side of whole-file-hasher.ts. Plain JavaScript: worker threads do not inherit the tsx
// loader the agent's own TypeScript runs under.
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

// Each slice goes through all three hashes while it is still in the CPU cache.
const SLICE_BYTES = 256 * 1024;
const hashes = [createHash('md5'), createHash('sha1'), createHash('sha256')];

parentPort.on('message', (message) => {
  if (message.type === 'update') {
    const data = Buffer.from(message.buffer, message.offset, message.length);
    for (let at = 0; at < data.length; at += SLICE_BYTES) {
      const slice = data.subarray(at, at + SLICE_BYTES);
      for (const hash of hashes) hash.update(slice);
    }
    parentPort.postMessage({ type: 'updated' });
  } else if (message.type === 'digest') {
    const [md5, sha1, sha256] = hashes.map((hash) => hash.digest('hex'));
    parentPort.postMessage({ type: 'digest', md5, sha1, sha256 });
  }
});
