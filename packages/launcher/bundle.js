// Runs a long-lived process (the server, the agent) from a cached esbuild bundle of its TypeScript
// sources instead of through tsx.
//
// Why: tsx compiles on a loader thread (a second V8 isolate) and keeps every transformed module
// and its source map; that was ~40 MiB of the server's ~170 MiB idle RSS, and ~35 MiB of the
// agent's ~140 MiB peak during a 1 GiB upload (105 MiB bundled). The bundle holds only our own
// sources (npm packages stay external and load from node_modules as before), is rebuilt whenever
// any of its input files changes (checked by size and mtime on every start, a few milliseconds),
// and so always runs the code in the tree: there is still no build step to remember. If the
// bundle cannot be built (esbuild missing, read-only tree, a syntax error), the caller falls back
// to tsx, which reports source errors as it always did.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CACHE_FORMAT = 1;
const MSG_FALLBACK = (what, reason) => `quarry: running the ${what} through tsx (bundle unavailable: ${reason})\n`;
const INDEX_FILE = 'current.json';

/** Where the bundle lives: beside the entry's package, so its bare imports resolve exactly as the sources' do. */
function cacheDirOf(entry) {
  return join(dirname(entry), '..', 'node_modules', '.cache', 'quarry-bundle');
}

/** Identifies how bundles are made: this file and the esbuild version. */
async function builderId(esbuildVersion) {
  const self = await readFile(fileURLToPath(import.meta.url));
  return `${CACHE_FORMAT}:${esbuildVersion}:${createHash('sha256').update(self).digest('hex').slice(0, 16)}`;
}

async function isFresh(index, builder) {
  if (index?.builder !== builder || !Array.isArray(index.inputs)) return false;
  for (const [path, size, mtimeMs] of index.inputs) {
    const s = await stat(path).catch(() => null);
    if (!s || s.size !== size || s.mtimeMs !== mtimeMs) return false;
  }
  return (await stat(join(index.dir, 'index.mjs')).catch(() => null)) !== null;
}

async function build(esbuild, builder, entry, cacheDir) {
  const absWorkingDir = resolve(dirname(entry), '..');
  const tmp = join(cacheDir, `tmp-${randomBytes(6).toString('hex')}`);
  const result = await esbuild.build({
    entryPoints: { index: entry },
    absWorkingDir,
    bundle: true,
    // Splitting keeps lazily imported modules (the S3 blob store and its AWS SDK) lazy.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    // A linked map costs nothing at run time; NODE_OPTIONS=--enable-source-maps uses it.
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    plugins: [externalNpmPackages, sourceRelativeUrls],
  });
  const inputs = [];
  for (const rel of Object.keys(result.metafile.inputs)) {
    const path = resolve(absWorkingDir, rel);
    const s = await stat(path);
    inputs.push([path, s.size, s.mtimeMs]);
  }
  const digest = createHash('sha256').update(builder).update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
  const dir = join(cacheDir, `b-${digest}`);
  // Concurrent starts may build the same sources at once; whichever rename lands first wins.
  await rename(tmp, dir).catch(() => rm(tmp, { recursive: true, force: true }));
  const index = { builder, dir, inputs };
  const indexTmp = join(cacheDir, `${INDEX_FILE}.${randomBytes(6).toString('hex')}`);
  await writeFile(indexTmp, JSON.stringify(index));
  await rename(indexTmp, join(cacheDir, INDEX_FILE));
  await pruneOldBuilds(cacheDir, dir);
  return index;
}

/** Bundles only workspace packages (@quarry/*) and relative imports; every npm package stays external. */
const externalNpmPackages = {
  name: 'external-npm-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@quarry/') ? undefined : { path: args.path, external: true }));
  },
};

/**
 * Pins each module's `import.meta.url` to its source file, so files found relative to a module
 * (a package.json, a worker script) are the same ones the sources use.
 */
const sourceRelativeUrls = {
  name: 'source-relative-urls',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const contents = text.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href));
      return { contents, loader: 'ts' };
    });
  },
};

async function pruneOldBuilds(cacheDir, keep) {
  const names = await readdir(cacheDir).catch(() => []);
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of names) {
    const path = join(cacheDir, name);
    if (path === keep || !name.startsWith('b-')) continue;
    // A process started from an older build may still import its lazy chunks for a while.
    const s = await stat(path).catch(() => null);
    if (s && s.mtimeMs < dayAgo) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * The module `entry` bundled, building or refreshing the bundle first when needed; null when it
 * cannot be had (the caller then runs the sources through tsx). `what` names it in that message.
 */
export async function importBundleOrNull(entry, what) {
  try {
    return await importBundle({ entry });
  } catch (err) {
    process.stderr.write(MSG_FALLBACK(what, err?.message ?? err));
    return null;
  }
}

/**
 * Bundles `entry` (a TypeScript module inside a package's `src/`) unless the cached bundle's
 * inputs are unchanged, and imports it. `cacheDir` defaults to the package's node_modules/.cache.
 * Throws when esbuild is missing or the sources do not build.
 */
export async function importBundle({ entry, cacheDir = cacheDirOf(entry) }) {
  const requireFromTsx = createRequire(fileURLToPath(import.meta.resolve('tsx/esm/api')));
  // Its version from package.json: loading esbuild itself (~0.4 MiB of heap for the life of the
  // process) is needed only when a bundle has to be built.
  const { version } = JSON.parse(await readFile(requireFromTsx.resolve('esbuild/package.json'), 'utf8'));
  await mkdir(cacheDir, { recursive: true });
  let index = JSON.parse(await readFile(join(cacheDir, INDEX_FILE), 'utf8').catch(() => 'null'));
  const builder = await builderId(version);
  if (!(await isFresh(index, builder))) index = await build(requireFromTsx('esbuild'), builder, entry, cacheDir);
  return import(pathToFileURL(join(index.dir, 'index.mjs')).href);
}
