#!/usr/bin/env node
// Starts the throw-away backing services that integration tests use (Swift with S3, PostgreSQL),
// using whatever is installed on this machine, on free loopback ports.
//
// As a library:   const s = await startTestServices({ want: ['s3', 'postgres'] }); ...; await s.stop();
// As a command:   node scripts/test-services/index.mjs                 prints `export …` lines, stops on Ctrl-C
//                 node scripts/test-services/index.mjs -- CMD ARGS…    runs CMD with the env, then stops
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SWIFT_SCRIPT = join(HERE, 'swift-s3.sh');
const POSTGRES_SCRIPT = join(HERE, 'postgres.sh');

/** The credentials and bucket our Swift configuration uses (tempauth user test:tester). */
export const TEST_S3 = Object.freeze({
  accessKeyId: 'test:tester',
  secretAccessKey: 'testing',
  region: 'us-east-1',
  bucket: 'quarry-test',
});

// Swift needs PORT..PORT+3. Stable candidates first: the ring files are cached per port set, so a
// repeat run on the same ports skips the ring build. Random ports after that.
const SWIFT_STABLE_BASES = Array.from({ length: 8 }, (_, i) => 28090 + i * 4);
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

const MSG_SWIFT_MISSING = 'swift-proxy-server not found (apt-get install swift swift-proxy swift-object swift-container swift-account)';
const MSG_TOOL_MISSING = (tool) => `${tool} not found (apt-get install ${tool})`;
const MSG_PG_MISSING = 'pg_config not found (apt-get install postgresql)';
const MSG_PG_INCOMPLETE = (dir) => `initdb/pg_ctl missing in ${dir}`;
const MSG_NO_PORTS = 'no four consecutive free ports found';

/**
 * Starts the requested services. Never throws for a service that is not installed or will not
 * start: it is listed in `missing` ("s3: reason") and its env variable is left out, so callers
 * decide whether that is a skip or a failure (REQUIRE_ALL_SERVICES).
 *
 * @param {{ baseDir?: string, want?: Array<'s3' | 'postgres'> }} [options]
 * @returns {Promise<{ env: Record<string, string>, stop(): Promise<void>, missing: string[] }>}
 */
export async function startTestServices({ baseDir, want = ['s3', 'postgres'] } = {}) {
  const ownsBase = baseDir === undefined;
  const base = ownsBase ? await mkdtemp(join(tmpdir(), 'quarry-services-')) : baseDir;
  await mkdir(base, { recursive: true });
  // mkdtemp makes 0700 dirs; the servers run as the swift and postgres users and must get through.
  if (ownsBase) await chmod(base, 0o755);

  const env = {
    AWS_ACCESS_KEY_ID: TEST_S3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_S3.secretAccessKey,
    AWS_REGION: TEST_S3.region,
  };
  const missing = [];
  /** @type {Array<{ script: string, dir: string }>} */
  const started = [];

  const jobs = [];
  if (want.includes('s3')) {
    jobs.push(
      startSwift(base).then(
        ({ dir, port }) => {
          started.push({ script: SWIFT_SCRIPT, dir });
          env.QUARRY_TEST_S3_URL = `s3://${TEST_S3.bucket}?endpoint=http://127.0.0.1:${port}&region=${TEST_S3.region}&forcePathStyle=true`;
        },
        (err) => missing.push(`s3: ${err.message}`),
      ),
    );
  }
  if (want.includes('postgres')) {
    jobs.push(
      startPostgres(base).then(
        ({ dir, port }) => {
          started.push({ script: POSTGRES_SCRIPT, dir });
          env.QUARRY_TEST_DATABASE_URL = `postgres://postgres@127.0.0.1:${port}/quarry_test`;
        },
        (err) => missing.push(`postgres: ${err.message}`),
      ),
    );
  }
  await Promise.all(jobs);

  // Last resort if the caller crashes before stop(): servers run detached and would outlive us.
  const onExit = () => {
    for (const s of started) spawnSync('bash', [s.script, 'stop', s.dir], { stdio: 'ignore', timeout: STOP_TIMEOUT_MS });
    if (ownsBase) spawnSync('rm', ['-rf', base]);
  };
  process.once('exit', onExit);

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      process.removeListener('exit', onExit);
      await Promise.all(started.map((s) => runScript(s.script, ['stop', s.dir], STOP_TIMEOUT_MS).catch(() => undefined)));
      if (ownsBase) await rm(base, { recursive: true, force: true });
    })();
    return stopping;
  };
  return { env, stop, missing };
}

async function startSwift(base) {
  for (const tool of ['swift-proxy-server', 'curl', 'openssl']) {
    if (!hasCommand(tool)) throw new Error(tool === 'swift-proxy-server' ? MSG_SWIFT_MISSING : MSG_TOOL_MISSING(tool));
  }
  let lastError;
  // A port found free can be taken before Swift binds it (another run on the machine): retry once.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const port = await findFreePortBlock(4);
    const dir = await mkdtemp(join(base, 'swift-'));
    await chmod(dir, 0o755);
    try {
      await runScript(SWIFT_SCRIPT, ['start', dir, String(port)], START_TIMEOUT_MS);
      return { dir, port };
    } catch (err) {
      lastError = err;
      await runScript(SWIFT_SCRIPT, ['stop', dir], STOP_TIMEOUT_MS).catch(() => undefined);
    }
  }
  throw lastError;
}

async function startPostgres(base) {
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(MSG_PG_MISSING);
  const bin = r.stdout.trim();
  if (!existsSync(join(bin, 'initdb')) || !existsSync(join(bin, 'pg_ctl'))) throw new Error(MSG_PG_INCOMPLETE(bin));
  const port = await findFreePortBlock(1);
  const dir = await mkdtemp(join(base, 'postgres-'));
  await chmod(dir, 0o755);
  try {
    await runScript(POSTGRES_SCRIPT, ['start', dir, String(port)], START_TIMEOUT_MS);
  } catch (err) {
    await runScript(POSTGRES_SCRIPT, ['stop', dir], STOP_TIMEOUT_MS).catch(() => undefined);
    throw err;
  }
  return { dir, port };
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a service script; rejects with its last stderr lines so `missing` says what went wrong. */
function runScript(script, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else {
        const tail = output.trim().split('\n').slice(-15).join('\n');
        reject(new Error(`${script.split('/').pop()} ${args[0]} failed (${signal ?? `exit ${code}`}): ${tail}`));
      }
    });
  });
}

/** A port P with P..P+count-1 all free on 127.0.0.1 (held open together while checking). */
async function findFreePortBlock(count) {
  const candidates = count > 1 ? [...SWIFT_STABLE_BASES] : [];
  for (let i = 0; i < 30; i += 1) candidates.push(0);
  for (const candidate of candidates) {
    const first = await listen(candidate);
    if (first === null) continue;
    const held = [first];
    const base = first.address().port;
    let ok = base + count - 1 <= 65535;
    for (let p = base + 1; ok && p < base + count; p += 1) {
      const s = await listen(p);
      if (s === null) ok = false;
      else held.push(s);
    }
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
    if (ok) return base;
  }
  throw new Error(MSG_NO_PORTS);
}

function listen(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

async function main(argv) {
  const sep = argv.indexOf('--');
  const command = sep >= 0 ? argv.slice(sep + 1) : [];
  const services = await startTestServices();
  for (const m of services.missing) console.error(`not started: ${m}`);
  if (command.length === 0) {
    for (const [k, v] of Object.entries(services.env)) console.log(`export ${k}='${v}'`);
    console.error('services running; Ctrl-C stops them');
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await services.stop();
    return 0;
  }
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, ...services.env } });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise((resolve) => child.on('close', (c, s) => resolve(c ?? (s ? 1 : 0))));
  await services.stop();
  return code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
