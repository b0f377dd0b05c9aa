import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Route } from '../../src/model/resources.js';
import { distinctLegs } from '../../src/network/leg-merge.js';
import type { Leg, LegKind } from '../../src/network/service-path.js';

/** The merge as first written: one key string per leg. */
const byKey = (legs: Leg[]): Leg[] => {
  if (legs.length < 2) return legs;
  const seen = new Map<string, Leg>();
  for (const leg of legs) {
    const key = `${leg.kind}|${leg.destination}|${leg.route?.target.id ?? ''}`;
    const known = seen.get(key);
    if (known) {
      known.alsoPossible = [...new Set([...known.alsoPossible, ...leg.alsoPossible])];
      known.nat64 = known.nat64 === true && leg.nat64 === true;
      if (known.versusEndpoint !== leg.versusEndpoint) {
        known.versusEndpoint =
          known.versusEndpoint === 'outranks' || leg.versusEndpoint === 'outranks'
            ? 'outranks'
            : (known.versusEndpoint ?? leg.versusEndpoint);
      }
    } else seen.set(key, leg);
  }
  return [...seen.values()];
};

const routeTo = (id: string): Route => ({
  destinationCidr: '0.0.0.0/0',
  target: { kind: 'nat-gateway', id },
  state: 'active',
  origin: 'CreateRoute',
});

// Separators inside destinations and target ids make different legs spell one key.
const leg = fc.record({
  kind: fc.constantFrom<LegKind>('egress', 'internet', 'endpoint', 'dropped'),
  destination: fc.constantFrom('0.0.0.0/0', 'a|b', 'a', 'pl-1', ''),
  target: fc.option(fc.constantFrom('nat-1', 'b|', '|b', 'x', ''), { nil: undefined }),
  alsoPossible: fc.subarray(['p → nat-2', 'q → nat-3', 'r → igw-1']),
  nat64: fc.option(fc.boolean(), { nil: undefined }),
  versusEndpoint: fc.option(fc.constantFrom('outranks' as const, 'ties' as const), {
    nil: undefined,
  }),
});

const specOf = (spec: {
  kind: LegKind;
  destination: string;
  target: string | undefined;
  alsoPossible: string[];
  nat64: boolean | undefined;
  versusEndpoint: 'outranks' | 'ties' | undefined;
}): Leg => ({
  kind: spec.kind,
  destination: spec.destination,
  route: spec.target === undefined ? undefined : routeTo(spec.target),
  alsoPossible: [...spec.alsoPossible],
  nat64: spec.nat64,
  versusEndpoint: spec.versusEndpoint,
});

describe('distinctLegs', () => {
  it('merges exactly as one key string per leg would, separators in names included', () => {
    fc.assert(
      fc.property(fc.array(leg, { maxLength: 20 }), (specs) => {
        const mine = distinctLegs(specs.map(specOf));
        const oracle = byKey(specs.map(specOf));
        expect(mine).toEqual(oracle);
      }),
      { numRuns: 600 },
    );
  });
});
