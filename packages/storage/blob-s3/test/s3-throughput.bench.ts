// Throughput check (not a test): put and get of SIZE_MIB random MiB through S3BlobStore.
//   node --import tsx packages/storage/blob-s3/test/s3-throughput.bench.ts [SIZE_MIB] [RUNS]
// Uses QUARRY_TEST_S3_URL if set, otherwise starts a throw-away Swift for the duration.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { startTestServices, type TestServices } from '../../../../scripts/test-services/index.mjs';
import { S3BlobStore, parseS3BlobUrl } from '../src/index.js';
import { deleteBucket } from './s3-test-bucket.js';

const MIB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 256);
const runs = Number(process.argv[3] ?? 3);

/** Pull-driven source of `total` bytes cut from a random pool, so generating data costs ~nothing. */
function source(total: number, pool: Buffer): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: MIB,
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(MIB, total - sent);
      const at = (sent / MIB) % (pool.length / MIB - 1);
      this.push(pool.subarray(at * MIB, at * MIB + n));
      sent += n;
    },
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  let services: TestServices | undefined;
  let url = process.env.QUARRY_TEST_S3_URL;
  if (!url) {
    services = await startTestServices({ want: ['s3'] });
    if (services.missing.length > 0) throw new Error(services.missing.join('\n'));
    Object.assign(process.env, services.env);
    url = services.env.QUARRY_TEST_S3_URL!;
  }
  const base = parseS3BlobUrl(url);
  const store = new S3BlobStore({ ...base, bucket: `${base.bucket}-bench-${randomBytes(4).toString('hex')}` });
  await store.ensureBucket();
  const pool = randomBytes(16 * MIB);
  const total = sizeMiB * MIB;
  const put: number[] = [];
  const get: number[] = [];
  try {
    for (let run = 0; run < runs; run += 1) {
      const key = `bench/${run}`;
      let t = performance.now();
      await store.put(key, source(total, pool), { size: total });
      put.push(sizeMiB / ((performance.now() - t) / 1000));
      t = performance.now();
      let read = 0;
      for await (const chunk of await store.get(key)) read += (chunk as Buffer).length;
      if (read !== total) throw new Error(`read ${read} bytes, expected ${total}`);
      get.push(sizeMiB / ((performance.now() - t) / 1000));
      await store.delete(key);
      console.log(`run ${run + 1}: put ${put[run]!.toFixed(0)} MiB/s, get ${get[run]!.toFixed(0)} MiB/s`);
    }
    console.log(`${sizeMiB} MiB, part size ${store.partSize / MIB} MiB, ${runs} runs: put median ${median(put).toFixed(0)} MiB/s, get median ${median(get).toFixed(0)} MiB/s`);
  } finally {
    await deleteBucket(store.client, store.bucket).catch((err: unknown) => console.error('bucket cleanup failed:', err));
    store.destroy();
    await services?.stop();
  }
}

await main();
