import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = join(ROOT, 'dist/cli/main.js');

const STATIC_IMPORT = /^\s*import\s*(?:[\w*{}\s,$]+\s*from\s*)?["']([^"']+)["']/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

const specifiers = (file: string, pattern: RegExp): string[] =>
  [...readFileSync(file, 'utf8').matchAll(pattern)].map((match) => match[1] as string);

/** Every module specifier loaded when `file` is imported, following relative static imports. */
const staticClosure = (file: string, seen = new Set<string>()): string[] => {
  if (seen.has(file)) return [];
  seen.add(file);
  return specifiers(file, STATIC_IMPORT).flatMap((spec) =>
    spec.startsWith('.') ? staticClosure(resolve(dirname(file), spec), seen) : [spec],
  );
};

/** Every module specifier reachable from `file`, through static and dynamic imports alike. */
const fullClosure = (file: string, seen = new Set<string>()): string[] => {
  if (seen.has(file)) return [];
  seen.add(file);
  return [...specifiers(file, STATIC_IMPORT), ...specifiers(file, DYNAMIC_IMPORT)].flatMap(
    (spec) => (spec.startsWith('.') ? fullClosure(resolve(dirname(file), spec), seen) : [spec]),
  );
};

/** The module URLs a CLI run resolves (test/bin/load-hooks.mjs records them). */
const loadedBy = (args: string[]): { urls: string[]; status: number | null; stderr: string } => {
  const dir = mkdtempSync(join(tmpdir(), 'vpce-guard-loads-'));
  try {
    const log = join(dir, 'loads.txt');
    const result = spawnSync(
      process.execPath,
      ['--import', './test/bin/load-recorder.mjs', 'bin/vpce-guard.js', ...args],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, VPCE_GUARD_LOAD_LOG: log } },
    );
    const urls = readFileSync(log, 'utf8').trim().split('\n');
    return { urls, status: result.status, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** The source files (esbuild's `// src/…` markers) of the compiled files among `urls`. */
const sourcesIn = (urls: readonly string[]): string[] =>
  urls
    .filter((url) => url.startsWith('file:') && url.includes('/dist/cli/'))
    .flatMap((url) =>
      [...readFileSync(fileURLToPath(url), 'utf8').matchAll(/^\/\/ (src\/\S+)$/gm)].map(
        (match) => match[1] as string,
      ),
    );

describe('compiled CLI (bin/build.js)', () => {
  beforeAll(() => {
    const result = spawnSync(process.execPath, ['bin/build.js', '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
  });

  it('starts without a TypeScript loader or the AWS SDK', () => {
    const loaded = staticClosure(ENTRY);

    expect(loaded.filter((spec) => spec.startsWith('@aws-sdk/'))).toEqual([]);
    expect(loaded.filter((spec) => /^tsx(\/|$)/.test(spec))).toEqual([]);
  });

  it('loads the AWS SDK only through lazily imported modules', () => {
    expect(fullClosure(ENTRY).some((spec) => spec.startsWith('@aws-sdk/'))).toBe(true);
  });

  it('`rules` loads the rule catalogue and its renderer, not the scan, report, fix or live code', () => {
    // Act
    const run = loadedBy(['rules']);
    const sources = sourcesIn(run.urls);

    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(sources).toContain('src/rules/index.ts');
    expect(sources).toContain('src/cli/render.ts');
    const unneeded = sources.filter((source) =>
      /^src\/(?:report|scan|alerts|sources)\/|^src\/cli\/(?:fix|live|report|scan-command)\.ts$/.test(
        source,
      ),
    );
    expect(unneeded).toEqual([]);
    const packages = run.urls.filter((url) => url.includes('/node_modules/'));
    expect(packages).toEqual([]);
  });

  it('a JSON scan of a snapshot loads no package and none of the report renderers', () => {
    // Act
    const run = loadedBy([
      'scan',
      '--snapshot',
      'examples/demo-snapshot.json',
      '--format',
      'json',
      '--exit-zero',
    ]);
    const sources = sourcesIn(run.urls);

    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(sources).toContain('src/cli/json-report.ts');
    expect(
      sources.filter((source) => /^src\/report\/render\/|^src\/cli\/report\.ts$/.test(source)),
    ).toEqual([]);
    // No YAML parser (suppressions files), no AWS SDK.
    expect(run.urls.filter((url) => url.includes('/node_modules/'))).toEqual([]);
  });

  it('runs from bin/vpce-guard.js', () => {
    const result = spawnSync(process.execPath, ['bin/vpce-guard.js', '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
    });

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^vpce-guard \d+\.\d+\.\d+/);
  });
});
