import { describe, expect, it } from 'vitest';
import { synthesizeSnapshot } from '../../scripts/lib/synth.js';
import { countByRule, defaultParams, nonCompliantByRule } from '../../scripts/lib/synth-check.js';
import { RULES } from '../../src/rules/index.js';
import { scan } from '../../src/scan/scan.js';
import { SnapshotView } from '../../src/sources/snapshot.js';

const countsByRule = async (items: readonly unknown[]) => {
  const evaluations = await scan({
    rules: RULES,
    view: SnapshotView.fromItems(items),
    params: defaultParams(),
  });
  return { evaluated: countByRule(evaluations), nonCompliant: nonCompliantByRule(evaluations) };
};

describe('synthetic Config snapshots (npm run synth)', () => {
  it('gives the same account, byte for byte, for the same seed and size', () => {
    const first = synthesizeSnapshot({ resources: 400, seed: 7 });
    const second = synthesizeSnapshot({ resources: 400, seed: 7 });
    const other = synthesizeSnapshot({ resources: 400, seed: 8 });

    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(JSON.stringify(other.snapshot)).not.toBe(JSON.stringify(first.snapshot));
  });

  it('writes exactly the requested number of items, every one a distinct resource', () => {
    const { snapshot, expected } = synthesizeSnapshot({ resources: 777, seed: 3 });
    const keys = snapshot.configurationItems.map(
      (item) => `${item.resourceType as string}/${item.resourceId as string}`,
    );

    expect(snapshot.configurationItems).toHaveLength(777);
    expect(new Set(keys).size).toBe(777);
    expect(Object.values(expected.itemsByType).reduce((a, b) => a + b, 0)).toBe(777);
  });

  it('covers every shape of the mix: networks, endpoints, groups and bucket policies', () => {
    const { expected } = synthesizeSnapshot({ resources: 2000, seed: 11 });

    for (const shape of [
      'nat:gateway',
      'nat:instance',
      'rtb:main-nat-without-s3',
      'rtb:private-with-s3',
      'rtb:private-without-s3',
      'rtb:isolated',
      'vpc:no-s3-endpoint',
      'vpce:policy-full-access',
      'sg:all-from-world',
      'sg:https-from-group',
      'bucket:no-policy',
      'bucket:vpce-wildcard',
    ]) {
      expect(expected.shapes[shape], shape).toBeGreaterThan(0);
    }
    for (const rule of RULES) expect(expected.nonCompliant[rule.id], rule.id).toBeGreaterThan(0);
  });

  it('makes every bucket policy text different in the buckets-only worst case', () => {
    const { snapshot } = synthesizeSnapshot({ resources: 300, seed: 5, profile: 'buckets' });
    const texts = snapshot.configurationItems.map(
      (item) =>
        (item.supplementaryConfiguration as { BucketPolicy: { policyText: string | null } })
          .BucketPolicy.policyText,
    );
    const withPolicy = texts.filter((text) => text !== null);

    expect(
      snapshot.configurationItems.every((item) => item.resourceType === 'AWS::S3::Bucket'),
    ).toBe(true);
    expect(new Set(withPolicy).size).toBe(withPolicy.length);
  });

  it.each([
    ['mixed', 1000, 21],
    ['buckets', 240, 9],
  ] as const)(
    'a scan of a %s account of %i items finds exactly the constructed findings (seed %i)',
    async (profile, resources, seed) => {
      const { snapshot, expected } = synthesizeSnapshot({ resources, seed, profile });

      const found = await countsByRule(snapshot.configurationItems);

      expect(found.evaluated).toEqual(expected.evaluations);
      expect(found.nonCompliant).toEqual(expected.nonCompliant);
    },
    // A whole-account scan with every rule: seconds on a busy shared machine.
    60_000,
  );
});
