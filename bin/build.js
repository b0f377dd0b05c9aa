#!/usr/bin/env node
/**
 * Compiles the CLI to plain JavaScript in dist/ (npm's `prepare` runs it on `npm ci`), so the CLI
 * starts without a TypeScript loader. One ESM bundle for the commands every run needs; the live
 * AWS reader is split into its own chunk, loaded only by `scan --live`. Packages stay external.
 *
 *   node bin/build.js             build
 *   node bin/build.js --if-stale  build only when a source file is newer than the bundle
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = join(ROOT, 'dist', 'cli');
const ENTRY = join(OUT_DIR, 'main.js');
const SOURCES = [join(ROOT, 'src'), join(ROOT, 'package.json'), fileURLToPath(import.meta.url)];

const newestMtime = (path) => {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
};

/** True when dist/ is missing or older than any source, package.json or this script. */
const isStale = () =>
  !existsSync(ENTRY) || SOURCES.some((path) => newestMtime(path) > statSync(ENTRY).mtimeMs);

const build = async () => {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    // `npm ci --omit=dev` has no esbuild: say what the CLI needs instead of failing the install.
    console.warn('vpce-guard: esbuild is not installed (dev dependency); the CLI is not built.');
    return false;
  }
  const result = await esbuild.build({
    entryPoints: { main: join(ROOT, 'src/cli/main.ts') },
    outdir: OUT_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
  });
  // Several test runs may build at once while others run the CLI: every file is written aside and
  // renamed into place, the entry last, so a reader never sees half a bundle.
  const outputs = [...result.outputFiles].sort(
    (a, b) => Number(a.path === ENTRY) - Number(b.path === ENTRY),
  );
  const keep = new Set(outputs.map((file) => file.path));
  for (const file of outputs) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  const chunks = join(OUT_DIR, 'chunks');
  for (const name of existsSync(chunks) ? readdirSync(chunks) : []) {
    const path = join(chunks, name);
    if (!keep.has(path) && !name.endsWith('.tmp')) rmSync(path, { force: true });
  }
  return true;
};

const main = async () => {
  if (process.argv.includes('--if-stale') && !isStale()) return;
  const started = performance.now();
  let built;
  try {
    built = await build();
  } catch (error) {
    // esbuild has already printed each error with its source line.
    if (!Array.isArray(error?.errors)) throw error;
    process.exitCode = 1;
    return;
  }
  if (built) {
    const ms = (performance.now() - started).toFixed(0);
    if (!process.argv.includes('--quiet')) {
      console.log(`vpce-guard: built ${relative(process.cwd(), OUT_DIR) || '.'} in ${ms} ms`);
    }
  }
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();

export { build, isStale };
