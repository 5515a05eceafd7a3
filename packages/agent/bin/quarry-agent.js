#!/usr/bin/env node
// Launcher: runs src/main.ts (which reads process.argv) from a bundle of the agent's sources,
// rebuilt whenever they change (see @quarry/launcher for why), or through tsx when that is not
// possible (no build step either way).
import { fileURLToPath } from 'node:url';
import { importBundleOrNull } from '@quarry/launcher';

const entry = fileURLToPath(new URL('../src/main.ts', import.meta.url));
if (!(await importBundleOrNull(entry, 'agent'))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
