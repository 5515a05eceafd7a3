// npm run bench:transfer — retrieves a random file (1 GiB by default, BENCH_SIZE_MIB to change)
// end to end on loopback with a real server and a real agent process, and prints each figure
// beside the limit measured in the same run. Not part of the test suite.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { writeRandomFile } from '../e2e/support/files.js';
import { procUsage, startAgent, startServer, tempDir, waitFor } from '../e2e/support/processes.js';

const MiB = 1024 * 1024;
const sizeMiB = Number(process.env.BENCH_SIZE_MIB ?? 1024);

async function hashRate(path: string, bytes: number): Promise<number> {
  const md5 = createHash('md5');
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  const t0 = performance.now();
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) {
    md5.update(chunk as Buffer);
    sha1.update(chunk as Buffer);
    sha256.update(chunk as Buffer);
  }
  md5.digest();
  sha1.digest();
  sha256.digest();
  return bytes / MiB / ((performance.now() - t0) / 1000);
}

async function api<T>(url: string, key: string, method: string, body?: unknown): Promise<T> {
  const r = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${text}`);
  return JSON.parse(text) as T;
}

async function timeDownload(url: string): Promise<{ mibps: number; bytes: number }> {
  const t0 = performance.now();
  const r = await fetch(url);
  if (!r.ok || !r.body) throw new Error(`download ${r.status}`);
  let bytes = 0;
  await pipeline(Readable.fromWeb(r.body as never), new Writable({ write(c: Buffer, _e, cb) { bytes += c.length; cb(); } }));
  return { mibps: bytes / MiB / ((performance.now() - t0) / 1000), bytes };
}

function row(label: string, value: string, limit: string, ratio: string): void {
  console.log(`${label.padEnd(34)} ${value.padStart(14)} ${limit.padStart(16)} ${ratio.padStart(8)}`);
}

async function main(): Promise<void> {
  const tmp = await tempDir('bench');
  try {
    const file = join(tmp.dir, 'payload.bin');
    const bytes = sizeMiB * MiB;
    console.log(`generating ${sizeMiB} MiB of random data in ${file}`);
    await writeRandomFile(file, bytes);
    const limit = await hashRate(file, bytes);

    const dataDir = join(tmp.dir, 'server');
    await mkdir(dataDir);
    const server = await startServer({ dataDir, env: { QUARRY_LOG_LEVEL: 'warn' } });
    const token = await api<{ token: string }>(`${server.url}/api/v1/enroll-tokens`, server.adminKey, 'POST', { maxUses: 1 });
    const agent = await startAgent({ serverUrl: server.url, stateDir: join(tmp.dir, 'agent'), enrollToken: token.token });
    try {
      await waitFor(async () => (await api<{ items: unknown[] }>(`${server.url}/api/v1/endpoints?online=true`, server.adminKey, 'GET')).items.length === 1, 30_000, 'agent online');
      const before = { s: procUsage(server.child.pid!), a: procUsage(agent.child.pid!) };
      const t0 = performance.now();
      const task = await api<{ id: number }>(`${server.url}/api/v1/retrievals`, server.adminKey, 'POST', { endpoints: [(await api<{ items: { id: string }[] }>(`${server.url}/api/v1/endpoints`, server.adminKey, 'GET')).items[0]!.id], paths: [file] });
      const done = await waitFor(async () => {
        const t = await api<{ status: string; subtasks: { items: { files: { fileId: number | null }[] }[] } }>(`${server.url}/api/v1/retrievals/${task.id}`, server.adminKey, 'GET');
        if (['failed', 'cancelled', 'expired', 'partially_succeeded'].includes(t.status)) throw new Error(`retrieval ended ${t.status}`);
        return t.status === 'succeeded' ? t : null;
      }, 600_000, 'retrieval');
      const seconds = (performance.now() - t0) / 1000;
      const after = { s: procUsage(server.child.pid!), a: procUsage(agent.child.pid!) };
      const e2e = sizeMiB / seconds;
      const fileId = done.subtasks.items[0]!.files[0]!.fileId!;

      const raw = await api<{ url: string }>(`${server.url}/api/v1/files/${fileId}/links`, server.adminKey, 'POST', { format: 'raw' });
      const rawDl = await timeDownload(raw.url);
      const zip = await api<{ url: string }>(`${server.url}/api/v1/files/${fileId}/links`, server.adminKey, 'POST', { format: 'zip' });
      const zipDl = await timeDownload(zip.url);
      const finalServer = procUsage(server.child.pid!);

      console.log('');
      row('figure', 'value', 'limit', 'ratio');
      row('single-pass md5+sha1+sha256 (limit)', `${limit.toFixed(0)} MiB/s`, '', '');
      row('end-to-end retrieval', `${e2e.toFixed(0)} MiB/s`, `${limit.toFixed(0)} MiB/s`, (e2e / limit).toFixed(2));
      row('  target: ratio >= 0.60', e2e / limit >= 0.6 ? 'met' : 'NOT met', '', '');
      // CPU-seconds per GiB do not depend on what else the machine is doing; MiB/s do.
      const perGiB = (cpu: number) => `${((cpu * 1024) / sizeMiB).toFixed(2)} s/GiB`;
      row('server CPU during retrieval', `${(after.s.cpuSeconds - before.s.cpuSeconds).toFixed(2)} s`, perGiB(after.s.cpuSeconds - before.s.cpuSeconds), '');
      row('agent CPU during retrieval', `${(after.a.cpuSeconds - before.a.cpuSeconds).toFixed(2)} s`, perGiB(after.a.cpuSeconds - before.a.cpuSeconds), '');
      row('server peak RSS', `${(finalServer.peakRssBytes / MiB).toFixed(0)} MiB`, '150 MiB', (finalServer.peakRssBytes / MiB / 150).toFixed(2));
      row('agent peak RSS', `${(after.a.peakRssBytes / MiB).toFixed(0)} MiB`, '150 MiB', (after.a.peakRssBytes / MiB / 150).toFixed(2));
      row('raw download', `${rawDl.mibps.toFixed(0)} MiB/s`, `${limit.toFixed(0)} MiB/s`, (rawDl.mibps / limit).toFixed(2));
      row('AES-256 zip download', `${zipDl.mibps.toFixed(0)} MiB/s`, '250 MiB/s', (zipDl.mibps / 250).toFixed(2));
      row('load average (1 min) at the end', loadavg()[0]!.toFixed(2), '', '');
    } finally {
      await agent.kill();
      await server.kill();
    }
  } finally {
    await tmp.cleanup();
  }
}

await main();
