#!/usr/bin/env node
// Runs the node:test suites through tsx. Node 20's --test does not expand globs, so the files are
// listed here. Groups: unit (beside the source), integration (packages/*/test), e2e (real processes).
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const skip = new Set(['node_modules', '.git', 'data', '.tmp']);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const all = walk(root).sort();
const groups = {
  unit: all.filter((f) => /\/src\//.test(f)),
  integration: all.filter((f) => !/\/src\//.test(f) && !f.startsWith('e2e/')),
  e2e: all.filter((f) => f.startsWith('e2e/')),
};
const wanted = process.argv.slice(2);
const selected = wanted.length === 0 ? ['unit', 'integration', 'e2e'] : wanted;
const files = selected.flatMap((g) => groups[g] ?? all.filter((f) => f.includes(g)));
if (files.length === 0) {
  console.error(`no test files for ${selected.join(', ')}`);
  process.exit(1);
}
// Integration suites run on every backend the machine has: PostgreSQL and Swift's S3 API are
// started here, on loopback, for the run. A missing one is skipped loudly by the suites that need
// it, and is a failure when REQUIRE_ALL_SERVICES=1 (CI).
let services = { env: {}, stop: async () => {}, missing: [] };
if (selected.some((g) => g !== 'unit') && process.env.QUARRY_TEST_SERVICES !== 'off') {
  const { startTestServices } = await import('./test-services/index.mjs');
  services = await startTestServices({ want: ['s3', 'postgres'] });
  for (const m of services.missing) console.error(`test services: ${m}`);
  if (services.missing.length > 0 && process.env.REQUIRE_ALL_SERVICES === '1') {
    await services.stop();
    console.error('REQUIRE_ALL_SERVICES=1 and some test services could not start');
    process.exit(1);
  }
}
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', cwd: root, env: { ...process.env, ...services.env, NODE_ENV: 'test' } },
);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
await services.stop();
process.exit(code);
