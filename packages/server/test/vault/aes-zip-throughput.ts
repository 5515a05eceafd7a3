/**
 * Quick throughput check of the AES zip writer (not a test): 256 MiB of random data, stored.
 * Run: cd /work/main && node --import tsx packages/server/test/vault/aes-zip-throughput.ts [MiB]
 * The source repeats one 16 MiB random buffer in 1 MiB pieces so the source itself costs ~nothing.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createAesZipStream } from '../../src/downloads/aes-zip-writer.js';

const MiB = 1024 * 1024;
const total = Number(process.argv[2] ?? 256) * MiB;
const pool = randomBytes(16 * MiB);

function source(): Readable {
  let offset = 0;
  return new Readable({
    highWaterMark: MiB,
    read() {
      if (offset >= total) return void this.push(null);
      const n = Math.min(MiB, total - offset);
      this.push(pool.subarray(offset % pool.length, (offset % pool.length) + n));
      offset += n;
    },
  });
}

async function measure(label: string, sink: () => Writable): Promise<void> {
  const runs: number[] = [];
  const cpuRuns: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    await pipeline(createAesZipStream({ fileName: 'bench.bin', size: total, mtime: new Date(), password: 'bench-password', source: source() }), sink());
    const used = process.cpuUsage(cpu);
    runs.push(total / MiB / (Number(process.hrtime.bigint() - started) / 1e9));
    // CPU time is what the writer costs; wall time also counts other load on a shared machine.
    cpuRuns.push(total / MiB / ((used.user + used.system) / 1e6));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(0);
  console.log(`${label}: wall median ${median(runs)} MiB/s (runs ${runs.map((r) => r.toFixed(0)).join(', ')}), per CPU-second ${median(cpuRuns)} MiB/s, rss ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB`);
}

const dir = await mkdtemp(join(tmpdir(), 'quarry-zip-bench-'));
try {
  await measure(`${total / MiB} MiB -> discard`, () => new Writable({ write: (_c, _e, cb) => cb() }));
  await measure(`${total / MiB} MiB -> file (4 MiB writes)`, () => createWriteStream(join(dir, 'out.zip'), { highWaterMark: 4 * MiB }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
