import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir; `cleanup` removes it and everything in it. */
export async function makeTempDir(prefix: string): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
