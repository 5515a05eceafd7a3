#!/usr/bin/env node
// Runs the TypeScript sources directly: the workspace has no build step. The long-running
// server is the exception: it runs from a bundle of its sources, rebuilt whenever they change
// (see @quarry/launcher for why), and falls back to tsx when that is not possible.
import { fileURLToPath } from 'node:url';
import { importBundleOrNull } from '@quarry/launcher';
import { tuneServerHeap } from '@quarry/launcher/server-heap';

const argv = process.argv.slice(2);
const isServer = argv[0] === 'server';
// Before anything of the server loads: see server-heap.js for what and why.
if (isServer) tuneServerHeap();
const server = isServer ? await importBundleOrNull(fileURLToPath(import.meta.resolve('@quarry/server')), 'server') : null;
if (server) {
  process.exitCode = await server.runServerCli(argv.slice(1));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/main.ts');
  process.exitCode = await main(argv);
}
