import { describe, expect, it } from 'vitest';
import type { PrefixList, Route } from '../../src/model/resources.js';
import { privateSubnetGatewayEndpoints as rule } from '../../src/rules/private-subnet-gateway-endpoints.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { endpoint, route, routeTable } from '../network/model-builders.js';
import { judgeShape, S3, S3_LIST, type Shape } from './route-table-shape.js';

/**
 * The route decision of the rule, shape by shape: every egress path AWS can take, judged with the
 * S3 prefix list known (AWS::EC2::PrefixList items or a live read) or unknown.
 */

const DYNAMODB = 'com.amazonaws.us-east-1.dynamodb';
const S3_V6_LIST: PrefixList = {
  id: 'pl-0e6f1d2c3b4a59687',
  name: S3,
  addressFamily: 'IPv6',
  ownerId: 'AWS',
  cidrs: ['2600:1fa0::/32', '2600:1ff0::/32'],
};

const s3Route = route('pl-63a5400a', 'vpc-endpoint', 'vpce-s3');
const s3Endpoint = (extra: Parameters<typeof endpoint>[3] = {}) =>
  endpoint('vpce-s3', 'vpc-1', S3, { routeTableIds: ['rtb-1'], ...extra });

const natDefault = route('0.0.0.0/0', 'nat-gateway', 'nat-1');
const propagated = (cidr: string, target: string): Route => ({
  ...route(cidr, 'virtual-private-gateway', target),
  origin: 'EnableVgwRoutePropagation',
});

describe('private-subnet-gateway-endpoints: route decision', () => {
  describe('specific routes against the prefix-list route', () => {
    it('returns NON_COMPLIANT when a static route equal to a prefix-list entry goes to NAT', async () => {
      // Prepare: same length, and AWS ranks static routes before prefix-list routes.
      const shape: Shape = {
        routes: [natDefault, s3Route, route('52.216.0.0/15', 'nat-gateway', 'nat-1')],
        extra: [s3Endpoint()],
        lists: [S3_LIST],
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('s3 leaves through NAT gateway nat-1 (52.216.0.0/15)');
      expect(verdict.annotation).toContain(
        'Fix: remove route 52.216.0.0/15 → nat-1, which outranks the vpce-s3 prefix-list route',
      );
      expect(verdict.detail).toContain('$149k');
    });

    it('returns COMPLIANT when only a propagated route equals a prefix-list entry', async () => {
      // Prepare: prefix-list routes win over propagated routes of the same length.
      const shape: Shape = {
        routes: [natDefault, s3Route, propagated('52.216.0.0/15', 'vgw-1')],
        extra: [s3Endpoint()],
        lists: [S3_LIST],
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });

    it('returns NON_COMPLIANT when a propagated route is more specific than an entry', async () => {
      // Prepare
      const shape: Shape = {
        routes: [natDefault, s3Route, propagated('54.231.128.0/17', 'vgw-1')],
        extra: [s3Endpoint()],
        lists: [S3_LIST],
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('virtual private gateway vgw-1 (54.231.128.0/17)');
    });

    it('returns COMPLIANT when a specific route does not touch the service ranges', async () => {
      // Prepare
      const shape: Shape = {
        routes: [natDefault, s3Route, route('52.94.0.0/22', 'nat-gateway', 'nat-1')],
        extra: [s3Endpoint()],
        lists: [S3_LIST],
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.annotation).toContain('s3 through vpce-s3');
    });

    it('reports could not verify when the prefix list is unknown and a public route goes to NAT', async () => {
      // Prepare
      const shape: Shape = {
        routes: [natDefault, s3Route, route('52.216.0.0/15', 'nat-gateway', 'nat-1')],
        extra: [s3Endpoint()],
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.unverifiable).toBe(true);
      expect(verdict.annotation).toMatch(
        /^Could not verify: rtb-1: route 52\.216\.0\.0\/15 → nat-1/,
      );
    });

    it('does not doubt routes too broad to outrank any prefix-list entry', async () => {
      // Prepare: a VPN-style split default through NAT, the S3 endpoint associated.
      const shape: Shape = {
        routes: [
          route('0.0.0.0/1', 'nat-gateway', 'nat-1'),
          route('128.0.0.0/1', 'nat-gateway', 'nat-1'),
          s3Route,
        ],
        extra: [s3Endpoint()],
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });

    it('does not doubt private-range routes', async () => {
      // Prepare
      const shape: Shape = {
        routes: [natDefault, s3Route, route('172.16.0.0/12', 'transit-gateway', 'tgw-1')],
        extra: [s3Endpoint()],
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });
  });

  describe('route state', () => {
    it('lets the next-longest route decide when a more specific route is a blackhole', async () => {
      // Prepare
      const shape: Shape = {
        routes: [
          route('0.0.0.0/0', 'transit-gateway', 'tgw-1'),
          route('0.0.0.0/1', 'nat-gateway', 'nat-gone', 'blackhole'),
          route('128.0.0.0/1', 'nat-gateway', 'nat-gone', 'blackhole'),
        ],
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('transit gateway tgw-1 (0.0.0.0/0)');
    });

    it.each(['pending', 'deleting', 'pendingAcceptance'])(
      'does not count a Gateway endpoint that is %s',
      async (state) => {
        // Prepare
        const shape: Shape = {
          routes: [natDefault, s3Route],
          extra: [s3Endpoint({ state })],
          lists: [S3_LIST],
        };

        // Act
        const verdict = await judgeShape(shape);

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        expect(verdict.annotation).toContain(`vpce-s3 is ${state}`);
      },
    );
  });

  describe('hops', () => {
    it('names a vpce- target that is no Gateway endpoint as a Gateway Load Balancer endpoint', async () => {
      // Prepare: centralised inspection; the split default goes through the GWLB endpoint.
      const shape: Shape = {
        routes: [
          route('0.0.0.0/1', 'vpc-endpoint', 'vpce-gwlb'),
          route('128.0.0.0/1', 'vpc-endpoint', 'vpce-gwlb'),
        ],
        extra: [
          endpoint('vpce-gwlb', 'vpc-1', 'com.amazonaws.vpce.us-east-1.vpce-svc-0fw', {
            endpointType: 'GatewayLoadBalancer',
          }),
        ],
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(
        'Gateway Load Balancer endpoint vpce-gwlb (0.0.0.0/1, 128.0.0.0/1)',
      );
    });

    it.each([
      ['local-gateway', 'lgw-1', 'local gateway lgw-1'],
      ['carrier-gateway', 'cagw-1', 'carrier gateway cagw-1'],
      ['core-network', 'arn:aws:networkmanager::1:core-network/cn-1', 'Cloud WAN core network'],
      ['virtual-private-gateway', 'vgw-1', 'virtual private gateway vgw-1'],
    ] as const)('names a default route to a %s', async (kind, id, label) => {
      // Act
      const verdict = await judgeShape({ routes: [route('0.0.0.0/0', kind, id)] });

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(label);
    });

    it('counts an Interface endpoint for S3 only with acceptInterfaceEndpoints', async () => {
      // Prepare
      const shape: Shape = {
        routes: [natDefault],
        extra: [
          endpoint('vpce-if', 'vpc-1', S3, {
            endpointType: 'Interface',
            privateDnsEnabled: true,
            privateDnsOnlyForInboundResolverEndpoint: false,
          }),
        ],
      };

      // Act
      const strict = await judgeShape(shape);
      const accepting = await judgeShape({
        ...shape,
        params: { acceptInterfaceEndpoints: 'true' },
      });

      // Assess
      expect(strict.compliance).toBe('NON_COMPLIANT');
      expect(strict.annotation).toContain('Interface endpoint vpce-if exists');
      expect(accepting.compliance).toBe('COMPLIANT');
      expect(accepting.annotation).toContain('s3 through vpce-if');
    });

    it('does not count an Interface endpoint whose inbound-Resolver DNS option was not recorded', async () => {
      // Prepare: EC2 reports the option for every private-DNS S3 endpoint; without it nothing
      // shows that lookups from inside the VPC get the endpoint's addresses.
      const shape: Shape = {
        routes: [natDefault],
        extra: [
          endpoint('vpce-if', 'vpc-1', S3, { endpointType: 'Interface', privateDnsEnabled: true }),
        ],
        params: { acceptInterfaceEndpoints: 'true' },
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).not.toContain('s3 through vpce-if');
    });
  });

  describe('IPv6 and NAT64', () => {
    const dualStack = { ipv6CidrBlocks: ['2600:1f18:1:101::/64'] };
    const eigwDefault = route('::/0', 'egress-only-internet-gateway', 'eigw-1');

    it('returns NON_COMPLIANT for IPv6 through an egress-only IGW when the endpoint is IPv4 only', async () => {
      // Prepare
      const shape: Shape = {
        routes: [natDefault, eigwDefault, s3Route],
        extra: [s3Endpoint()],
        lists: [S3_LIST],
        subnetExtra: dualStack,
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(
        's3 IPv6 leaves through egress-only internet gateway eigw-1 (::/0)',
      );
      expect(verdict.annotation).toContain('set the IP address type of vpce-s3 to dualstack');
    });

    it('returns COMPLIANT for a dual-stack subnet with a dualstack Gateway endpoint', async () => {
      // Prepare
      const shape: Shape = {
        routes: [natDefault, eigwDefault, s3Route],
        extra: [s3Endpoint({ ipAddressType: 'dualstack' })],
        lists: [S3_LIST, S3_V6_LIST],
        subnetExtra: dualStack,
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.annotation).toContain('s3 IPv4 through vpce-s3');
      expect(verdict.annotation).toContain('s3 IPv6 through vpce-s3');
    });

    it('judges an IPv6-only subnet on IPv6 alone instead of calling it not applicable', async () => {
      // Prepare
      const shape: Shape = {
        routes: [eigwDefault],
        subnetExtra: { cidrBlock: undefined, ipv6Native: true, ...dualStack },
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('s3 leaves through egress-only internet gateway eigw-1');
      expect(verdict.annotation).toContain('(dualstack)');
    });

    it('returns NON_COMPLIANT for S3 reached over NAT64 from an IPv6-only subnet', async () => {
      // Prepare: DNS64 synthesises 64:ff9b:: addresses for IPv4-only S3 names.
      const shape: Shape = {
        routes: [route('64:ff9b::/96', 'nat-gateway', 'nat-1'), s3Route],
        extra: [s3Endpoint({ ipAddressType: 'dualstack' })],
        lists: [S3_LIST, S3_V6_LIST],
        subnetExtra: { cidrBlock: undefined, ipv6Native: true, enableDns64: true, ...dualStack },
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('NAT gateway nat-1 (NAT64) (64:ff9b::/96)');
      expect(verdict.annotation).toContain('NAT64 traffic cannot use an endpoint');
    });

    it('returns NOT_APPLICABLE for an IPv6-only subnet with no route out', async () => {
      // Act
      const verdict = await judgeShape({
        routes: [],
        subnetExtra: { cidrBlock: undefined, ipv6Native: true, ...dualStack },
      });

      // Assess
      expect(verdict.compliance).toBe('NOT_APPLICABLE');
      expect(verdict.annotation).not.toContain('NAT path');
    });
  });

  describe('annotations', () => {
    it('fits 256 characters and keeps every fix for many services and families', async () => {
      // Prepare
      const shape: Shape = {
        routes: [
          route('0.0.0.0/1', 'nat-gateway', 'nat-0123456789abcdef0'),
          route('128.0.0.0/1', 'transit-gateway', 'tgw-0123456789abcdef0'),
          route('::/0', 'egress-only-internet-gateway', 'eigw-0123456789abcdef0'),
        ],
        extra: [endpoint('vpce-0123456789abcdef0', 'vpc-1', DYNAMODB, { routeTableIds: [] })],
        subnetExtra: { ipv6CidrBlocks: ['2600:1f18:1:101::/64'] },
        params: { gatewayServices: 's3,dynamodb' },
      };

      // Act
      const verdict = await judgeShape(shape);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation.length).toBeLessThanOrEqual(256);
      expect(verdict.annotation).toContain('Fix:');
      expect(verdict.detail).toContain('associate vpce-0123456789abcdef0 with rtb-1');
      expect(verdict.detail).toContain('transit gateway tgw-0123456789abcdef0');
    });
  });

  describe('dependentsOfGone', () => {
    it('finds the tables that still route to a deleted endpoint by its id', async () => {
      // Prepare
      const view = SnapshotView.fromResources([
        routeTable(
          'rtb-1',
          'vpc-1',
          [route('pl-63a5400a', 'vpc-endpoint', 'vpce-s3', 'blackhole')],
          [],
        ),
        routeTable('rtb-2', 'vpc-1', [natDefault], []),
      ]);

      // Act
      const refs = await rule.dependentsOfGone?.(
        { type: 'AWS::EC2::VPCEndpoint', id: 'vpce-s3' },
        view,
      );

      // Assess
      expect(refs).toEqual([{ type: 'AWS::EC2::RouteTable', id: 'rtb-1' }]);
    });
  });
});
