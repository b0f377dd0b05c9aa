import { describe, expect, it } from 'vitest';
import type { PrefixList, Resource, Route } from '../../src/model/resources.js';
import { endpoint, route, type subnet } from '../network/model-builders.js';
import { judgeShape, S3, S3_LIST } from './route-table-shape.js';

const evaluate = (
  routes: Route[],
  lists: PrefixList[],
  extra: Resource[] = [],
  subnetExtra: Parameters<typeof subnet>[2] = {},
) => judgeShape({ routes, lists, extra, subnetExtra });

/**
 * Whether a table is public (out of the rule's scope) is decided by where its default traffic
 * goes, and a prefix-list route takes part in that like any other route: AWS documents that "for
 * routes that overlap, more specific routes always take priority irrespective of whether they are
 * propagated routes, static routes, or routes that reference prefix lists" (How route priority
 * works). A customer list of 0.0.0.0/1 and 128.0.0.0/1 outranks 0.0.0.0/0 → igw for every address.
 */

const SPLIT_EGRESS: PrefixList = {
  id: 'pl-0e9d8c7b6a5f43210',
  name: 'central-egress',
  addressFamily: 'IPv4',
  ownerId: '111122223333',
  cidrs: ['0.0.0.0/1', '128.0.0.0/1'],
};
const ON_PREMISES: PrefixList = {
  id: 'pl-0e9d8c7b6a5f43210',
  name: 'on-premises',
  addressFamily: 'IPv4',
  ownerId: '111122223333',
  cidrs: ['10.64.0.0/10', '192.168.0.0/16'],
};

const igwDefault = route('0.0.0.0/0', 'internet-gateway', 'igw-1');
const toTransitGateway = route('pl-0e9d8c7b6a5f43210', 'transit-gateway', 'tgw-1');

const DUAL_STACK = { ipv6CidrBlocks: ['2600:1f18:1:101::/64'] };

describe('private-subnet-gateway-endpoints: public tables and prefix-list routes', () => {
  it('is not a public table when a customer prefix list of 0.0.0.0/1 and 128.0.0.0/1 sends all traffic to a transit gateway', async () => {
    // Prepare, Act
    const verdict = await evaluate([igwDefault, toTransitGateway], [S3_LIST, SPLIT_EGRESS]);

    // Assess
    expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
    expect(verdict.unverifiable).not.toBe(true);
    expect(verdict.annotation).toContain('transit gateway tgw-1 (pl-0e9d8c7b6a5f43210)');
    expect(verdict.annotation).not.toContain('public route table');
  });

  it('is not a public table when the split list sends all traffic to a NAT gateway', async () => {
    // Prepare, Act
    const verdict = await evaluate(
      [igwDefault, route('pl-0e9d8c7b6a5f43210', 'nat-gateway', 'nat-1')],
      [S3_LIST, SPLIT_EGRESS],
    );

    // Assess
    expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
    expect(verdict.annotation).toContain('NAT gateway nat-1');
  });

  it('is COMPLIANT behind the split list when the S3 Gateway endpoint route outranks its /1 entries', async () => {
    // Prepare, Act
    const verdict = await evaluate(
      [igwDefault, toTransitGateway, route('pl-63a5400a', 'vpc-endpoint', 'vpce-s3')],
      [S3_LIST, SPLIT_EGRESS],
      [endpoint('vpce-s3', 'vpc-1', S3, { routeTableIds: ['rtb-1'] })],
    );

    // Assess
    expect(verdict.compliance, verdict.annotation).toBe('COMPLIANT');
  });

  it('reports could not verify, not a public table, when the list that may hold the default traffic is unknown', async () => {
    // Prepare, Act
    const verdict = await evaluate([igwDefault, toTransitGateway], [S3_LIST]);

    // Assess
    expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
    expect(verdict.unverifiable).toBe(true);
    expect(verdict.annotation).toContain('pl-0e9d8c7b6a5f43210 → tgw-1');
  });

  it('fits the could-not-verify annotation in 256 characters with several unknown lists', async () => {
    // Prepare: long ids, three lists of unknown entries to three hops.
    const routes = [
      route('0.0.0.0/0', 'internet-gateway', 'igw-0123456789abcdef0'),
      route('pl-0123456789abcdef0', 'transit-gateway', 'tgw-0123456789abcdef0'),
      route('pl-0123456789abcdef1', 'nat-gateway', 'nat-0123456789abcdef0'),
      route('pl-0123456789abcdef2', 'vpc-peering', 'pcx-0123456789abcdef0'),
    ];

    // Act
    const verdict = await evaluate(routes, [S3_LIST]);

    // Assess
    expect(verdict.unverifiable).toBe(true);
    expect(verdict.annotation.length).toBeLessThanOrEqual(256);
    expect(verdict.annotation).toContain('Fix: ');
    expect(verdict.detail).toContain('pl-0123456789abcdef2 → pcx-0123456789abcdef0');
  });

  it('stays a public table when the customer list routed to a transit gateway holds only private ranges', async () => {
    // Prepare, Act
    const verdict = await evaluate([igwDefault, toTransitGateway], [S3_LIST, ON_PREMISES]);

    // Assess
    expect(verdict.compliance, verdict.annotation).toBe('NOT_APPLICABLE');
    expect(verdict.annotation).toContain('public route table');
  });

  it('stays a public table when the unknown list is routed to the internet gateway itself', async () => {
    // Prepare, Act
    const verdict = await evaluate(
      [igwDefault, route('pl-0e9d8c7b6a5f43210', 'internet-gateway', 'igw-1')],
      [S3_LIST],
    );

    // Assess
    expect(verdict.compliance, verdict.annotation).toBe('NOT_APPLICABLE');
  });

  describe('a more specific route that takes the service past the internet gateway', () => {
    // AWS, How route priority works: "Any traffic from the subnet that's destined for the
    // 172.31.0.0/16 IP address range uses the peering connection, because this route is more
    // specific than the route for internet gateway." The subnet is public, yet its S3 traffic
    // takes the NAT (or transit-gateway) detour the rule is about.
    it('is NON_COMPLIANT when an S3 range goes to a NAT gateway next to 0.0.0.0/0 → igw', async () => {
      // Act
      const verdict = await evaluate(
        [igwDefault, route('52.216.0.0/15', 'nat-gateway', 'nat-1')],
        [S3_LIST],
      );

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
      expect(verdict.unverifiable).toBeUndefined();
      expect(verdict.annotation).toContain('NAT gateway nat-1 (52.216.0.0/15)');
      expect(verdict.annotation).not.toContain('public route table');
    });

    it('cannot verify a public table whose public route to a transit gateway may hold S3 ranges', async () => {
      // Act: the S3 prefix list is not known.
      const verdict = await evaluate(
        [igwDefault, route('52.0.0.0/8', 'transit-gateway', 'tgw-1')],
        [],
      );

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
      expect(verdict.unverifiable).toBe(true);
      expect(verdict.annotation).toContain('52.0.0.0/8');
    });

    it('stays a public table when the specific route misses the S3 ranges', async () => {
      // Act
      const verdict = await evaluate(
        [
          igwDefault,
          route('198.18.0.0/15', 'nat-gateway', 'nat-1'),
          route('52.0.0.0/16', 'nat-gateway', 'nat-1'),
        ],
        [S3_LIST],
      );

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('NOT_APPLICABLE');
      expect(verdict.annotation).toContain('public route table');
    });

    it('stays a public table when the specific route goes to the internet gateway too', async () => {
      // Act
      const verdict = await evaluate(
        [igwDefault, route('52.0.0.0/8', 'internet-gateway', 'igw-1')],
        [],
      );

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('NOT_APPLICABLE');
    });

    it('stays a public table when the S3 Gateway endpoint route outranks the specific route', async () => {
      // Act
      const verdict = await evaluate(
        [
          igwDefault,
          route('52.216.0.0/14', 'nat-gateway', 'nat-1'),
          route('pl-63a5400a', 'vpc-endpoint', 'vpce-s3'),
        ],
        [S3_LIST],
        [endpoint('vpce-s3', 'vpc-1', S3, { routeTableIds: ['rtb-1'] })],
      );

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('NOT_APPLICABLE');
    });
  });

  describe('dual-stack subnets', () => {
    it('is a public table when IPv4 goes to the internet gateway and IPv6 has no route out of the VPC', async () => {
      // Prepare: the VPC and subnet have IPv6 blocks, the table only the local IPv6 route.
      // Act
      const verdict = await evaluate([igwDefault], [S3_LIST], [], DUAL_STACK);

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('NOT_APPLICABLE');
      expect(verdict.annotation).toContain('public route table');
    });

    it('is a public table when IPv6 only reaches on-premises ranges through a transit gateway', async () => {
      // Act
      const verdict = await evaluate(
        [igwDefault, route('fd00::/8', 'transit-gateway', 'tgw-1')],
        [S3_LIST],
        [],
        DUAL_STACK,
      );

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('NOT_APPLICABLE');
    });

    it('is a public table when both families go to the internet gateway', async () => {
      // Act
      const verdict = await evaluate(
        [igwDefault, route('::/0', 'internet-gateway', 'igw-1')],
        [S3_LIST],
        [],
        DUAL_STACK,
      );

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('NOT_APPLICABLE');
    });

    it('is judged when IPv6 leaves through an egress-only internet gateway', async () => {
      // Act
      const verdict = await evaluate(
        [igwDefault, route('::/0', 'egress-only-internet-gateway', 'eigw-1')],
        [S3_LIST],
        [],
        DUAL_STACK,
      );

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
      expect(verdict.detail).toContain('egress-only internet gateway eigw-1');
    });

    it('reports could not verify when only a list of unknown entries may carry IPv6 (or IPv4) out', async () => {
      // Act
      const verdict = await evaluate([igwDefault, toTransitGateway], [S3_LIST], [], DUAL_STACK);

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
      expect(verdict.unverifiable).toBe(true);
      expect(verdict.annotation).toContain('pl-0e9d8c7b6a5f43210 → tgw-1');
    });

    it('is a public table when the list routed to a transit gateway is known to hold IPv4 private ranges only', async () => {
      // Act
      const verdict = await evaluate(
        [igwDefault, toTransitGateway],
        [S3_LIST, ON_PREMISES],
        [],
        DUAL_STACK,
      );

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('NOT_APPLICABLE');
    });

    it('is judged when IPv6 has no default route but a specific route out of the VPC', async () => {
      // Act
      const verdict = await evaluate(
        [igwDefault, route('2600:1f00::/24', 'transit-gateway', 'tgw-1')],
        [S3_LIST],
        [],
        DUAL_STACK,
      );

      // Assess
      expect(verdict.compliance, verdict.annotation).not.toBe('NOT_APPLICABLE');
    });
  });
});
