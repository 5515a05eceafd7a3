#!/usr/bin/env node
// Launcher: registers tsx so the TypeScript sources run as they are (no build step), then runs
// src/main.ts, which reads process.argv.
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

// Keep V8's young generation at its initial size: an upload allocates mostly off-heap buffers,
// whose scavenges would otherwise grow it to 16 MiB semi-spaces and resident memory with it.
setFlagsFromString('--semi-space-growth-factor=1');
register();
await import('../src/main.ts');
