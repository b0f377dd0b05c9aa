import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/model/compliance.js';
import type { PrefixList, Route, RouteTargetKind, Subnet } from '../../src/model/resources.js';
import { endpoint, route } from '../network/model-builders.js';
import { judgeShape, S3 } from './route-table-shape.js';

/**
 * Two properties any sound reading of AWS's route decision has, whatever the routes:
 * - a route (or a prefix-list entry) to a hop out of the VPC other than an internet gateway only
 *   adds ways out, so it never turns a NON_COMPLIANT table into a COMPLIANT or not applicable one;
 * - knowing fewer prefix lists (a Config snapshot holds customer lists, not the AWS-managed S3
 *   list) never gives a safer verdict than knowing them.
 * An internet gateway route is left out of the first: it can make a table public (out of scope).
 */

const S3_LIST: PrefixList = {
  id: 'pl-s3',
  name: S3,
  addressFamily: 'IPv4',
  cidrs: ['52.216.0.0/15', '3.5.0.0/19', '54.231.0.0/16'],
};
const S3_V6_LIST: PrefixList = {
  id: 'pl-s3-v6',
  name: 'com.amazonaws.us-east-1.ipv6.s3',
  addressFamily: 'IPv6',
  cidrs: ['2600:1fa0::/32', '2600:1ff0::/32'],
};
const customerList = (cidrs: string[]): PrefixList => ({
  id: 'pl-cust',
  name: 'egress-via-firewall',
  addressFamily: cidrs.some((cidr) => cidr.includes(':')) ? 'IPv6' : 'IPv4',
  cidrs,
});

/** Around the S3 ranges: equal, more specific, broader, splits of the default route. */
const V4 = [
  '0.0.0.0/0',
  '0.0.0.0/1',
  '128.0.0.0/1',
  '0.0.0.0/6',
  '48.0.0.0/5',
  '52.0.0.0/8',
  '52.216.0.0/15',
  '52.216.0.0/16',
  '3.5.0.0/19',
  '3.5.0.0/20',
  '54.0.0.0/7',
  '198.51.100.0/24',
];
const V6 = [
  '::/0',
  '::/1',
  '2000::/3',
  '2600::/12',
  '2600:1fa0::/32',
  '2600:1fa0::/36',
  '64:ff9b::/96',
];
const OUT: [RouteTargetKind, string][] = [
  ['nat-gateway', 'nat-1'],
  ['transit-gateway', 'tgw-1'],
  ['virtual-private-gateway', 'vgw-1'],
  ['egress-only-internet-gateway', 'eigw-1'],
  // A Gateway Load Balancer endpoint (not recorded: named as one), sorting after vpce-s3.
  ['vpc-endpoint', 'vpce-z-inspection'],
];
const IGW: [RouteTargetKind, string] = ['internet-gateway', 'igw-1'];

const SUBNETS: Partial<Subnet>[] = [
  {},
  { ipv6CidrBlocks: ['2600:1f18:1:101::/64'] },
  { ipv6CidrBlocks: ['2600:1f18:1:101::/64'], enableDns64: true },
  {
    cidrBlock: undefined,
    ipv6CidrBlocks: ['2600:1f18:1:101::/64'],
    ipv6Native: true,
    enableDns64: true,
  },
];

const anyRoute = (destinations: string[]) =>
  fc
    .record({
      destination: fc.constantFrom(...destinations),
      target: fc.constantFrom(...OUT, IGW),
      propagated: fc.boolean(),
    })
    .map(
      ({ destination, target, propagated }): Route => ({
        ...route(destination, target[0], target[1]),
        origin:
          propagated && target[0] === 'virtual-private-gateway'
            ? 'EnableVgwRoutePropagation'
            : 'CreateRoute',
      }),
    );

const destinationOf = (r: Route): string =>
  r.destinationCidr ?? r.destinationIpv6Cidr ?? r.destinationPrefixListId ?? '';

/** One route per destination, as a route table holds them. */
const distinct = (routes: Route[]): Route[] => {
  const seen = new Set<string>();
  return routes.filter((r) => !seen.has(destinationOf(r)) && seen.add(destinationOf(r)));
};

interface Table {
  routes: Route[];
  lists: PrefixList[];
  endpointType: 'ipv4' | 'dualstack' | undefined;
  subnetExtra: Partial<Subnet>;
}

const evaluate = ({ routes, lists, endpointType, subnetExtra }: Table) =>
  judgeShape({
    routes,
    lists,
    subnetExtra,
    extra: endpointType
      ? [
          endpoint('vpce-s3', 'vpc-1', S3, {
            routeTableIds: ['rtb-1'],
            ipAddressType: endpointType,
          }),
        ]
      : [],
  });

const unsafe = (verdict: Verdict): boolean => verdict.compliance === 'NON_COMPLIANT';
const said = (verdict: Verdict): string => `${verdict.compliance}: ${verdict.annotation}`;

const table = fc
  .record({
    routes: fc.array(anyRoute([...V4, ...V6]), { maxLength: 4 }),
    customer: fc.array(fc.constantFrom(...V4), { maxLength: 3 }),
    endpointType: fc.constantFrom(undefined, 'ipv4' as const, 'dualstack' as const),
    subnetExtra: fc.constantFrom(...SUBNETS),
    v6Known: fc.boolean(),
  })
  .map(({ routes, customer, endpointType, subnetExtra, v6Known }) => ({
    routes: distinct([
      ...(endpointType ? [route('pl-s3', 'vpc-endpoint', 'vpce-s3')] : []),
      ...routes,
      route('pl-cust', 'transit-gateway', 'tgw-1'),
    ]),
    customer,
    endpointType,
    subnetExtra,
    awsLists: v6Known ? [S3_LIST, S3_V6_LIST] : [S3_LIST],
  }));

describe('private-subnet-gateway-endpoints: verdicts only get safer with safer routes', () => {
  it('never turns NON_COMPLIANT into a safer verdict when a route or list entry out of the VPC is added', async () => {
    await fc.assert(
      fc.asyncProperty(
        table,
        fc.constantFrom(...V4, ...V6),
        fc.constantFrom(...OUT),
        fc.boolean(),
        async (t, destination, target, asEntry) => {
          // Prepare
          const lists = [...t.awsLists, customerList(t.customer)];
          const before = { ...t, lists };
          const after = asEntry
            ? { ...t, lists: [...t.awsLists, customerList([...t.customer, destination])] }
            : { ...t, lists, routes: [...t.routes, route(destination, target[0], target[1])] };
          if (asEntry && destination.includes(':')) return;
          if (!asEntry && t.routes.some((r) => destinationOf(r) === destination)) return;

          // Act
          const [was, is] = [await evaluate(before), await evaluate(after)];

          // Assess
          if (unsafe(was)) expect(unsafe(is), `${said(was)} → ${said(is)}`).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never gives a safer verdict without the AWS-managed lists than with them', async () => {
    await fc.assert(
      fc.asyncProperty(table, fc.boolean(), async (t, customerKnown) => {
        // Prepare
        const customer = customerKnown ? [customerList(t.customer)] : [];

        // Act
        const known = await evaluate({ ...t, lists: [...t.awsLists, ...customer] });
        const unknown = await evaluate({ ...t, lists: customer });

        // Assess
        if (unsafe(known)) expect(unsafe(unknown), `${said(known)} / ${said(unknown)}`).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
