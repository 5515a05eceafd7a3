// Enforces the dependency rules of style.md §1.2 by reading imports, because npm hoisting lets any
// package import any other at run time and review alone does not catch it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

const root = new URL('..', import.meta.url).pathname;

/** Internal packages each package's production source may import. */
const ALLOWED: Record<string, string[]> = {
  protocol: [],
  core: ['@quarry/protocol'],
  'storage/sql': ['@quarry/core', '@quarry/protocol'],
  'storage/blob-local': ['@quarry/core', '@quarry/protocol'],
  'storage/blob-s3': ['@quarry/core', '@quarry/protocol'],
  server: ['@quarry/core', '@quarry/protocol', '@quarry/storage-sql', '@quarry/storage-blob-local', '@quarry/storage-blob-s3', '@quarry/agent'],
  agent: ['@quarry/protocol'],
  client: ['@quarry/protocol'],
  // The CLI launches the server and the agent through dynamic import only (checked below).
  cli: ['@quarry/client', '@quarry/protocol', '@quarry/server', '@quarry/agent'],
  testing: ['@quarry/core', '@quarry/protocol'],
};

/** Modules that read process.env directly. */
const ENV_READERS = [
  'packages/server/src/config/load.ts',
  'packages/agent/src/config/load.ts',
  'packages/cli/src/config/load.ts',
  // Test tooling: which database dialects this test run covers.
  'packages/testing/src/dialects.ts',
];

function sourceFiles(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

interface Import {
  spec: string;
  typeOnly: boolean;
  dynamic: boolean;
}

function importsOf(text: string): Import[] {
  const found: Import[] = [];
  const staticRe = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(staticRe)) found.push({ spec: m[3]!, typeOnly: Boolean(m[2]), dynamic: false });
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push({ spec: m[1]!, typeOnly: false, dynamic: false });
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ spec: m[1]!, typeOnly: false, dynamic: true });
  return found;
}

describe('package dependency rules', () => {
  for (const [pkg, allowed] of Object.entries(ALLOWED)) {
    it(`${pkg} imports only what style.md allows`, () => {
      const files = sourceFiles(join(root, 'packages', pkg, 'src'));
      const violations: string[] = [];
      for (const file of files) {
        const rel = relative(root, file);
        for (const imp of importsOf(readFileSync(file, 'utf8'))) {
          if (imp.spec.startsWith('@quarry/') && !allowed.includes(imp.spec.split('/').slice(0, 2).join('/'))) {
            violations.push(`${rel}: ${imp.spec}`);
          }
          if (pkg === 'cli' && ['@quarry/server', '@quarry/agent'].includes(imp.spec) && !imp.dynamic) {
            violations.push(`${rel}: ${imp.spec} must be a dynamic import (launcher only)`);
          }
          if (pkg === 'core' && (imp.spec.startsWith('node:') || !imp.spec.startsWith('.') && !imp.spec.startsWith('@quarry/'))) {
            if (!(imp.typeOnly && imp.spec === 'node:stream')) violations.push(`${rel}: ${imp.spec} (core does no I/O)`);
          }
          if (pkg === 'protocol' && !imp.spec.startsWith('.') && imp.spec !== 'typebox') violations.push(`${rel}: ${imp.spec}`);
        }
      }
      assert.deepEqual(violations, []);
    });
  }

  it('only the config loaders read process.env', () => {
    const readers: string[] = [];
    for (const pkg of Object.keys(ALLOWED)) {
      for (const file of sourceFiles(join(root, 'packages', pkg, 'src'))) {
        if (/process\.env\b/.test(stripComments(readFileSync(file, 'utf8')))) readers.push(relative(root, file));
      }
    }
    assert.deepEqual(readers.filter((f) => !ENV_READERS.includes(f)), []);
  });

  it('nothing in production imports @quarry/testing', () => {
    const offenders: string[] = [];
    for (const pkg of Object.keys(ALLOWED).filter((p) => p !== 'testing')) {
      for (const file of sourceFiles(join(root, 'packages', pkg, 'src'))) {
        if (importsOf(readFileSync(file, 'utf8')).some((i) => i.spec.startsWith('@quarry/testing'))) offenders.push(relative(root, file));
      }
    }
    assert.deepEqual(offenders, []);
  });
});
