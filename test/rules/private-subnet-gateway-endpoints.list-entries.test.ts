import { describe, expect, it } from 'vitest';
import type { PrefixList, Route } from '../../src/model/resources.js';
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
import { judgeTable, S3, S3_LIST } from './route-table-shape.js';

/**
 * A customer prefix-list route competes with each of its entries at that entry's own length (AWS:
 * "for routes that overlap, more specific routes always take priority irrespective of whether they
 * are propagated routes, static routes, or routes that reference prefix lists"). A Config snapshot
 * holds customer lists (AWS::EC2::PrefixList) but not the AWS-managed S3 list, so the S3 addresses
 * are unknown there: a broad entry cannot outrank any S3 range, a specific one may.
 */

const firewallList = (cidrs: string[]): PrefixList => ({
  id: 'pl-0f1e2d3c4b5a69788',
  name: 'egress-via-firewall',
  addressFamily: 'IPv4',
  ownerId: '111122223333',
  cidrs,
});

const evaluate = async (routes: Route[], lists: PrefixList[]) => {
  const view = SnapshotView.fromResources(
    [
      vpc('vpc-1', ['10.0.0.0/16']),
      subnet('subnet-a', 'vpc-1', { cidrBlock: '10.0.1.0/24' }),
      natGateway('nat-1', 'vpc-1'),
      endpoint('vpce-s3', 'vpc-1', S3, { routeTableIds: ['rtb-1'] }),
      routeTable(
        'rtb-1',
        'vpc-1',
        [
          localRoute('10.0.0.0/16'),
          route('0.0.0.0/0', 'nat-gateway', 'nat-1'),
          route('pl-63a5400a', 'vpc-endpoint', 'vpce-s3'),
          ...routes,
        ],
        [explicit('subnet-a')],
        { region: 'us-east-1' },
      ),
    ],
    lists,
  );
  return judgeTable(view);
};

const toFirewall = route('pl-0f1e2d3c4b5a69788', 'transit-gateway', 'tgw-1');

describe('private-subnet-gateway-endpoints: each entry of a customer prefix list', () => {
  it('does not let a broad entry hide a specific S3-sized entry of the same list (S3 list unknown)', async () => {
    // Prepare: 0.0.0.0/6 cannot outrank an S3 range; 3.5.0.0/19 (an S3 range) may.
    const lists = [firewallList(['0.0.0.0/6', '3.5.0.0/19'])];

    // Act
    const verdict = await evaluate([toFirewall], lists);

    // Assess
    expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
    expect(verdict.annotation).toContain('pl-0f1e2d3c4b5a69788 → tgw-1');
  });

  it('judges the list the same with or without the broad entry', async () => {
    // Act
    const withBroad = await evaluate([toFirewall], [firewallList(['0.0.0.0/6', '3.5.0.0/19'])]);
    const specificOnly = await evaluate([toFirewall], [firewallList(['3.5.0.0/19'])]);

    // Assess
    expect(withBroad.compliance).toBe(specificOnly.compliance);
    expect(withBroad.unverifiable).toBe(specificOnly.unverifiable);
  });

  it('does not let a broad entry hide an adjacent specific entry of the same list', async () => {
    // Prepare: 48.0.0.0/5 ends at 55.255.255.255; 56.0.0.0/16 follows it.
    const lists = [firewallList(['48.0.0.0/5', '56.0.0.0/16'])];

    // Act
    const verdict = await evaluate([toFirewall], lists);

    // Assess
    expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
    expect(verdict.unverifiable).toBe(true);
  });

  it('stays COMPLIANT when every entry of the list is too broad to outrank an S3 range', async () => {
    // Act
    const verdict = await evaluate([toFirewall], [firewallList(['0.0.0.0/5', '8.0.0.0/7'])]);

    // Assess
    expect(verdict.compliance, verdict.annotation).toBe('COMPLIANT');
  });

  it('names the tie once the S3 list is known', async () => {
    // Act
    const verdict = await evaluate(
      [toFirewall],
      [firewallList(['0.0.0.0/6', '3.5.0.0/19']), S3_LIST],
    );

    // Assess
    expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
    expect(verdict.unverifiable).not.toBe(true);
    expect(verdict.annotation).toContain('ties with the vpce-s3 prefix-list route');
  });

  it.each([
    ['vpce-0a1b2c3d4e5f60718', 'vpce-0f9e8d7c6b5a49382'],
    ['vpce-0f9e8d7c6b5a49382', 'vpce-0a1b2c3d4e5f60718'],
  ])(
    'counts a tie with a Gateway Load Balancer endpoint route as a way out (S3 endpoint %s, GWLB endpoint %s)',
    async (s3Id, gwlbId) => {
      // Prepare: an inspection list holding an S3 entry at the same length goes to a GWLB endpoint;
      // AWS picks one of two overlapping prefix-list routes at random, whichever endpoint id sorts first.
      const view = SnapshotView.fromResources(
        [
          vpc('vpc-1', ['10.0.0.0/16']),
          subnet('subnet-a', 'vpc-1', { cidrBlock: '10.0.1.0/24' }),
          natGateway('nat-1', 'vpc-1'),
          endpoint(s3Id, 'vpc-1', S3, { routeTableIds: ['rtb-1'] }),
          endpoint(gwlbId, 'vpc-1', 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0', {
            endpointType: 'GatewayLoadBalancer',
            subnetIds: ['subnet-inspection'],
          }),
          routeTable(
            'rtb-1',
            'vpc-1',
            [
              localRoute('10.0.0.0/16'),
              route('0.0.0.0/0', 'nat-gateway', 'nat-1'),
              route('pl-63a5400a', 'vpc-endpoint', s3Id),
              route('pl-0f1e2d3c4b5a69788', 'vpc-endpoint', gwlbId),
            ],
            [explicit('subnet-a')],
            { region: 'us-east-1' },
          ),
        ],
        [S3_LIST, firewallList(['52.216.0.0/15'])],
      );

      // Act
      const verdict = await judgeTable(view);

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(`Gateway Load Balancer endpoint ${gwlbId}`);
      expect(verdict.annotation).toContain(`ties with the ${s3Id} prefix-list route`);
    },
  );
});
