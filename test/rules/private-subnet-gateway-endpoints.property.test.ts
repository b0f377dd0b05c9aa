import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PrefixList, Route, RouteOrigin, RouteTargetKind } from '../../src/model/resources.js';
import { parseCidr } from '../../src/network/cidr.js';
import { parseParams } from '../../src/rules/params.js';
import { privateSubnetGatewayEndpoints as rule } from '../../src/rules/private-subnet-gateway-endpoints.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import {
  endpoint,
  explicit,
  localRoute,
  natGateway,
  route,
  routeTable,
  subnet,
  vpc,
} from '../network/model-builders.js';

/**
 * The rule's verdict against an oracle: with the S3 prefix list known and a NAT default route, the
 * table is COMPLIANT exactly when, at every address of every S3 entry, the route AWS picks (longest
 * prefix; static, then prefix-list, then propagated) is the Gateway endpoint's route. Every
 * annotation fits Config's 256 characters and every failure says how to fix it.
 */

const S3 = 'com.amazonaws.us-east-1.s3';
const S3_CIDRS = ['52.216.0.0/15', '3.5.0.0/19', '54.231.0.0/16'];
const S3_LIST: PrefixList = { id: 'pl-s3', name: S3, addressFamily: 'IPv4', cidrs: S3_CIDRS };

/** Destinations around the S3 ranges: equal, more specific, broader, disjoint. */
const DESTINATIONS = [
  '52.216.0.0/15',
  '52.216.0.0/16',
  '52.217.128.0/17',
  '52.0.0.0/8',
  '3.5.0.0/19',
  '3.5.16.0/20',
  '54.231.0.0/16',
  '54.231.7.0/24',
  '198.51.100.0/24',
];

const TARGETS: [RouteTargetKind, string][] = [
  ['nat-gateway', 'nat-1'],
  ['transit-gateway', 'tgw-1'],
  ['virtual-private-gateway', 'vgw-1'],
  ['internet-gateway', 'igw-1'],
  ['vpc-peering', 'pcx-1'],
];

const specificRoute = fc
  .record({
    destination: fc.constantFrom(...DESTINATIONS),
    target: fc.constantFrom(...TARGETS),
    origin: fc.constantFrom<RouteOrigin>('CreateRoute', 'EnableVgwRoutePropagation'),
    blackhole: fc.boolean(),
  })
  .map(
    ({ destination, target, origin, blackhole }): Route => ({
      ...route(destination, target[0], target[1], blackhole ? 'blackhole' : 'active'),
      origin,
    }),
  );

const endpointRoute = route('pl-s3', 'vpc-endpoint', 'vpce-s3');

const range = (text: string): [bigint, bigint] => {
  const cidr = parseCidr(text);
  if (!cidr) throw new Error(text);
  return [cidr.network, cidr.network + (1n << BigInt(32 - cidr.prefix)) - 1n];
};

/** The documented route for one address, by brute force. */
const decide = (routes: readonly Route[], address: bigint): Route | undefined => {
  const rank = (r: Route) =>
    r.destinationPrefixListId ? 1 : r.origin === 'EnableVgwRoutePropagation' ? 2 : 0;
  const candidates = routes.flatMap((r) => {
    if (r.state !== 'active') return [];
    const destinations = r.destinationPrefixListId ? S3_CIDRS : [r.destinationCidr ?? ''];
    return destinations.flatMap((text) => {
      const cidr = parseCidr(text);
      if (!cidr) return [];
      const [first, last] = range(text);
      return first <= address && address <= last ? [{ r, prefix: cidr.prefix }] : [];
    });
  });
  candidates.sort((a, b) => b.prefix - a.prefix || rank(a.r) - rank(b.r));
  return candidates[0]?.r;
};

const evaluate = (routes: Route[], withEndpoint: boolean) => {
  const view = SnapshotView.fromResources(
    [
      vpc('vpc-1', ['10.0.0.0/16']),
      subnet('subnet-a', 'vpc-1', { cidrBlock: '10.0.1.0/24' }),
      natGateway('nat-1', 'vpc-1'),
      routeTable('rtb-1', 'vpc-1', routes, [explicit('subnet-a')], { region: 'us-east-1' }),
      ...(withEndpoint ? [endpoint('vpce-s3', 'vpc-1', S3, { routeTableIds: ['rtb-1'] })] : []),
    ],
    [S3_LIST],
  );
  const table = routeTable('rtb-1', 'vpc-1', routes, [explicit('subnet-a')], {
    region: 'us-east-1',
  });
  return rule.evaluate(table, view, parseParams(rule.id, rule.parameters, {}));
};

describe('private-subnet-gateway-endpoints against the documented route decision', () => {
  it('is COMPLIANT exactly when the endpoint route wins at every S3 address', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(specificRoute, { maxLength: 5 }),
        fc.boolean(),
        async (specific, withEndpoint) => {
          // Prepare
          const routes = [
            localRoute('10.0.0.0/16'),
            route('0.0.0.0/0', 'nat-gateway', 'nat-1'),
            ...(withEndpoint ? [endpointRoute] : []),
            ...specific,
          ];
          const starts = [...S3_CIDRS, ...specific.map((r) => r.destinationCidr ?? '')].flatMap(
            (text) => {
              const [first, last] = range(text);
              return [first, last + 1n];
            },
          );
          const s3Addresses = starts.filter((address) =>
            S3_CIDRS.some((text) => {
              const [first, last] = range(text);
              return first <= address && address <= last;
            }),
          );
          const expected = s3Addresses.every((address) => decide(routes, address) === endpointRoute)
            ? 'COMPLIANT'
            : 'NON_COMPLIANT';

          // Act
          const verdict = await evaluate(routes, withEndpoint);

          // Assess
          expect(verdict.compliance, verdict.annotation).toBe(expected);
          expect(verdict.annotation.length).toBeLessThanOrEqual(256);
          if (expected === 'NON_COMPLIANT') expect(verdict.annotation).toContain('Fix: ');
        },
      ),
      { numRuns: 200 },
    );
  });
});
