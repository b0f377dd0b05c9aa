import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

  it('loads the AWS SDK only through the lazily imported live reader', () => {
    const lazyLoads = specifiers(ENTRY, DYNAMIC_IMPORT).flatMap((spec) =>
      spec.startsWith('.') ? staticClosure(resolve(dirname(ENTRY), spec)) : [spec],
    );

    expect(lazyLoads.some((spec) => spec.startsWith('@aws-sdk/'))).toBe(true);
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
