#!/usr/bin/env node
// Runs the TypeScript sources directly: the workspace has no build step. The long-running
// server is the exception: it runs from a bundle of its sources, rebuilt whenever they change
// (see server-bundle.js for why), and falls back to tsx when that is not possible.
import { setFlagsFromString } from 'node:v8';
import { importServerBundle } from './server-bundle.js';

const argv = process.argv.slice(2);
// V8 grows its young generation quickly while modules load and the server starts, to its 16 MiB
// semi-space maximum, and only shrinks it after a long idle spell; that alone was ~30 MiB of the
// server's resident memory early in its life. Growth is held off until the server is up, after
// which the young generation sizes itself to the actual load (4-8 MiB during a 1 GiB transfer).
const V8_GROWTH_HELD = '--semi-space-growth-factor=1';
const V8_GROWTH_DEFAULT = '--semi-space-growth-factor=2';
if (argv[0] === 'server') setFlagsFromString(V8_GROWTH_HELD);
const server = argv[0] === 'server' ? await importServerBundle() : null;
if (server) {
  const io = { stdout: process.stdout, stderr: process.stderr, onStarted: () => setFlagsFromString(V8_GROWTH_DEFAULT) };
  process.exitCode = await server.runServerCli(argv.slice(1), io);
} else {
  // The tsx fallback has no "started" hook: let the young generation grow as V8 would.
  if (argv[0] === 'server') setFlagsFromString(V8_GROWTH_DEFAULT);
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/main.ts');
  process.exitCode = await main(argv);
}
