import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
// @ts-expect-error plain JavaScript launcher module without type declarations
import { importBundle } from '../bundle.js';

interface Bundled {
  value: string;
  helper: string;
}

describe('launcher bundle cache', () => {
  let dir: string;
  let entry: string;
  let cacheDir: string;
  const load = async (): Promise<Bundled> => (await importBundle({ entry, cacheDir })) as Bundled;
  const builds = async (): Promise<string[]> => (await readdir(cacheDir)).filter((n) => n.startsWith('b-'));
  /** Rewrites a file with a later mtime than before, as an editor would. */
  const edit = async (path: string, text: string): Promise<void> => {
    await writeFile(path, text);
    const later = new Date(Date.now() + 5_000);
    await utimes(path, later, later);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quarry-bundle-'));
    await mkdir(join(dir, 'src'));
    entry = join(dir, 'src', 'index.ts');
    cacheDir = join(dir, 'cache');
    await writeFile(join(dir, 'src', 'helper.ts'), "export const helper: string = 'h1';\n");
    await writeFile(entry, "export { helper } from './helper.js';\nexport const value: string = 'v1';\n");
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('bundles the TypeScript sources and their relative imports', async () => {
    const m = await load();
    assert.equal(m.value, 'v1');
    assert.equal(m.helper, 'h1');
    assert.equal((await builds()).length, 1);
  });

  it('reuses the cached bundle while no input changed', async () => {
    const first = await builds();
    await load();
    assert.deepEqual(await builds(), first);
  });

  it('rebuilds when an imported file changes, and runs the new code', async () => {
    await edit(join(dir, 'src', 'helper.ts'), "export const helper: string = 'h2';\n");
    const m = await load();
    assert.equal(m.helper, 'h2');
    assert.equal((await builds()).length, 2);
  });

  it('fails (so the launcher falls back to tsx) when the sources do not build', async () => {
    await edit(entry, 'export const value: string = ;\n');
    await assert.rejects(load());
  });
});
