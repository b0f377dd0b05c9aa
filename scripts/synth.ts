/**
 * Writes a synthetic AWS Config snapshot and the NON_COMPLIANT count each rule must report on it:
 *
 *   npm run synth -- --resources 100000 --seed 42 --out account.json
 *     → account.json (the snapshot) and account.expected.json (the expectations)
 *   npm run synth -- --resources 100000 --profile buckets --out worst.json   # every policy differs
 *
 * Without --out the snapshot goes to stdout and the expectations to stderr.
 */
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Profile, writeSnapshot } from './lib/synth.js';

const USAGE =
  'usage: npm run synth -- --resources N [--seed S] [--profile mixed|buckets] [--out FILE] [--expected FILE]';

const fail = (message: string): never => {
  console.error(`synth: ${message}\n${USAGE}`);
  process.exit(2);
};

const { values } = parseArgs({
  options: {
    resources: { type: 'string' },
    seed: { type: 'string', default: '1' },
    profile: { type: 'string', default: 'mixed' },
    out: { type: 'string' },
    expected: { type: 'string' },
  },
});

const whole = (text: string | undefined, name: string): number => {
  const n = Number(text);
  return text !== undefined && /^\d+$/.test(text) && Number.isSafeInteger(n)
    ? n
    : fail(`--${name} must be a whole number, got ${text ?? 'nothing'}`);
};
const resources = whole(values.resources, 'resources');
const seed = whole(values.seed, 'seed');
const profile =
  values.profile === 'mixed' || values.profile === 'buckets'
    ? (values.profile as Profile)
    : fail(`--profile must be mixed or buckets, got ${values.profile}`);

const fd = values.out ? openSync(values.out, 'w') : 1;
const expected = writeSnapshot(fd, { resources, seed, profile });
if (values.out) closeSync(fd);

const expectedText = `${JSON.stringify(expected, null, 2)}\n`;
const expectedPath =
  values.expected ?? (values.out ? values.out.replace(/(\.json)?$/, '.expected.json') : undefined);
if (expectedPath) {
  writeFileSync(expectedPath, expectedText);
  console.error(
    `synth: wrote ${resources} items to ${values.out ?? 'stdout'}, expectations to ${expectedPath}`,
  );
} else {
  process.stderr.write(expectedText);
}
