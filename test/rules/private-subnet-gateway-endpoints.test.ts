import { describe, expect, it } from 'vitest';
import type { Resource } from '../../src/model/resources.js';
import { parseParams } from '../../src/rules/params.js';
import { privateSubnetGatewayEndpoints as rule } from '../../src/rules/private-subnet-gateway-endpoints.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import {
  endpoint,
  explicit,
  localRoute,
  main,
  natGateway,
  route,
  routeTable,
  subnet,
  vpc,
} from '../network/model-builders.js';

const S3 = 'com.amazonaws.us-east-1.s3';
const DYNAMODB = 'com.amazonaws.us-east-1.dynamodb';

const evaluate = async (
  tableId: string,
  resources: Resource[],
  raw: Record<string, unknown> = {},
) => {
  const view = SnapshotView.fromResources(resources);
  const table = await view.get('AWS::EC2::RouteTable', tableId);
  if (!table) throw new Error(`test table ${tableId} missing`);
  return rule.evaluate(table, view, parseParams(rule.id, rule.parameters, raw));
};

/** A VPC with two private subnets on one explicit table and one subnet left to the main table. */
const network = (privateRoutes = [route('0.0.0.0/0', 'nat-gateway', 'nat-1')]): Resource[] => [
  vpc('vpc-1', ['10.0.0.0/16']),
  subnet('subnet-a', 'vpc-1'),
  subnet('subnet-b', 'vpc-1'),
  subnet('subnet-c', 'vpc-1'),
  natGateway('nat-1', 'vpc-1'),
  routeTable(
    'rtb-private',
    'vpc-1',
    [localRoute('10.0.0.0/16'), ...privateRoutes],
    [explicit('subnet-a'), explicit('subnet-b')],
    { region: 'us-east-1' },
  ),
  routeTable(
    'rtb-main',
    'vpc-1',
    [localRoute('10.0.0.0/16'), route('0.0.0.0/0', 'nat-gateway', 'nat-1')],
    [main],
    { region: 'us-east-1' },
  ),
];

describe('private-subnet-gateway-endpoints', () => {
  describe('evaluate', () => {
    it('returns COMPLIANT when the S3 Gateway endpoint is associated with the NAT table', async () => {
      // Prepare
      const resources = [
        ...network(),
        endpoint('vpce-s3', 'vpc-1', S3, { routeTableIds: ['rtb-private'] }),
      ];

      // Act
      const verdict = await evaluate('rtb-private', resources);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.annotation).toContain('s3 through vpce-s3');
      expect(verdict.annotation).toContain('subnet-a, subnet-b');
    });

    it('returns NON_COMPLIANT for the main table serving an unassociated subnet through NAT', async () => {
      // Prepare
      const resources = [
        ...network(),
        endpoint('vpce-s3', 'vpc-1', S3, { routeTableIds: ['rtb-private'] }),
      ];

      // Act
      const verdict = await evaluate('rtb-main', resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toBe(
        'rtb-main: s3 leaves through NAT gateway nat-1 (0.0.0.0/0), not a Gateway endpoint, for subnets subnet-c. Fix: associate vpce-s3 with rtb-main.',
      );
    });

    it('cannot verify a main table through NAT whose VPC has subnets Config did not record', async () => {
      // Prepare: AWS Config did not record the VPC's subnets, but rtb-private is associated with
      // two of them and nat-1 sits in one. AWS: the main table "controls the routing for all
      // subnets that are not explicitly associated with any other route table", so whether it
      // serves some cannot be told, and "serves no subnet" would hide the NAT path.
      const resources = network().filter((resource) => resource.type !== 'AWS::EC2::Subnet');

      // Act
      const verdict = await evaluate('rtb-main', resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.unverifiable).toBe(true);
      expect(verdict.annotation).toMatch(/^Could not verify: /);
      expect(verdict.annotation).toContain('NAT gateway nat-1');
      expect(verdict.annotation.length).toBeLessThanOrEqual(256);
      expect(verdict.detail).toContain('rtb-private is associated with subnet-a');
    });

    it('takes a NAT route of a main table as a sign of unrecorded subnets when it is the only table', async () => {
      // Prepare: no subnets and no other table recorded; a NAT gateway sits in a subnet of its VPC.
      const resources = network().filter(
        (resource) => resource.type !== 'AWS::EC2::Subnet' && resource.id !== 'rtb-private',
      );

      // Act
      const verdict = await evaluate('rtb-main', resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.unverifiable).toBe(true);
      expect(verdict.detail).toContain('nat-1, a target of its routes');
    });

    it('takes the subnet an Interface endpoint sits in as a sign of unrecorded subnets', async () => {
      // Prepare: the only table is the main one, its default goes to a transit gateway; the STS
      // Interface endpoint has a network interface in subnet-a, which Config did not record.
      const resources: Resource[] = [
        vpc('vpc-1', ['10.0.0.0/16']),
        routeTable(
          'rtb-main',
          'vpc-1',
          [localRoute('10.0.0.0/16'), route('0.0.0.0/0', 'transit-gateway', 'tgw-1')],
          [main],
          { region: 'us-east-1' },
        ),
        endpoint('vpce-sts', 'vpc-1', 'com.amazonaws.us-east-1.sts', {
          endpointType: 'Interface',
          subnetIds: ['subnet-a'],
        }),
      ];

      // Act
      const verdict = await evaluate('rtb-main', resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.unverifiable).toBe(true);
      expect(verdict.annotation).toContain('transit gateway tgw-1');
      expect(verdict.detail).toContain('vpce-sts sits in subnet-a');
    });

    it('keeps a main table COMPLIANT through its S3 endpoint whatever unrecorded subnets it serves', async () => {
      // Prepare
      const resources = [
        ...network().filter((resource) => resource.type !== 'AWS::EC2::Subnet'),
        endpoint('vpce-s3', 'vpc-1', S3, { routeTableIds: ['rtb-main'] }),
      ];

      // Act
      const verdict = await evaluate('rtb-main', resources);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.annotation).toContain('s3 through vpce-s3');
    });

    it('says so when a main table serves nothing because the VPC has no known subnets', async () => {
      // Prepare: nothing shows the VPC has a subnet (no other table, no NAT gateway or instance).
      const resources: Resource[] = [
        vpc('vpc-1', ['10.0.0.0/16']),
        routeTable(
          'rtb-main',
          'vpc-1',
          [localRoute('10.0.0.0/16'), route('0.0.0.0/0', 'virtual-private-gateway', 'vgw-1')],
          [main],
          { region: 'us-east-1' },
        ),
      ];

      // Act
      const verdict = await evaluate('rtb-main', resources);

      // Assess
      expect(verdict.compliance).toBe('NOT_APPLICABLE');
      expect(verdict.annotation).toContain('vpc-1 has no subnets');
      expect(verdict.annotation).toContain('record AWS::EC2::Subnet');
    });

    it('returns NON_COMPLIANT naming dynamodb when only S3 is routed and both are required', async () => {
      // Prepare
      const resources = [
        ...network(),
        endpoint('vpce-s3', 'vpc-1', S3, { routeTableIds: ['rtb-private'] }),
      ];

      // Act
      const verdict = await evaluate('rtb-private', resources, { gatewayServices: 's3,dynamodb' });

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(
        'rtb-private: dynamodb leaves through NAT gateway nat-1 (0.0.0.0/0), not a Gateway endpoint, for subnets subnet-a, subnet-b.',
      );
      expect(verdict.annotation).toContain(
        'Fix: create a Gateway endpoint com.amazonaws.us-east-1.dynamodb associated with rtb-private',
      );
      expect(verdict.annotation).not.toContain('s3 leaves');
    });

    it('returns COMPLIANT when both services are routed, one of them only by a pl- route', async () => {
      // Prepare
      const resources = [
        ...network([
          route('0.0.0.0/0', 'nat-gateway', 'nat-1'),
          route('pl-02cd2c6b', 'vpc-endpoint', 'vpce-ddb'),
        ]),
        endpoint('vpce-s3', 'vpc-1', S3, { routeTableIds: ['rtb-private'] }),
        endpoint('vpce-ddb', 'vpc-1', DYNAMODB),
      ];

      // Act
      const verdict = await evaluate('rtb-private', resources, { gatewayServices: 's3, dynamodb' });

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.annotation).toContain(
        'dynamodb through vpce-ddb (route pl-02cd2c6b → vpce-ddb)',
      );
    });

    it.each([
      ['instance', 'i-0nat', 'NAT instance i-0nat'],
      ['network-interface', 'eni-0nat', 'NAT instance network interface eni-0nat'],
      ['transit-gateway', 'tgw-0hub', 'transit gateway tgw-0hub'],
      ['vpc-peering', 'pcx-0peer', 'VPC peering connection pcx-0peer'],
    ] as const)('returns NON_COMPLIANT for a default route to a %s', async (kind, id, label) => {
      // Prepare
      const resources = network([route('0.0.0.0/0', kind, id)]);

      // Act
      const verdict = await evaluate('rtb-private', resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(`leaves through ${label} (0.0.0.0/0)`);
    });

    it('says when the NAT gateway is a private one', async () => {
      // Prepare
      const resources = network().map((r) =>
        r.type === 'AWS::EC2::NatGateway' ? { ...r, connectivityType: 'private' as const } : r,
      );

      // Act
      const verdict = await evaluate('rtb-private', resources);

      // Assess
      expect(verdict.annotation).toContain('through private NAT gateway nat-1');
    });

    it('does not count a Gateway endpoint of another VPC that names the table', async () => {
      // Prepare
      const resources = [
        ...network(),
        endpoint('vpce-other', 'vpc-2', S3, { routeTableIds: ['rtb-private'] }),
      ];

      // Act
      const verdict = await evaluate('rtb-private', resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
    });

    it('mentions a Gateway endpoint of the service that is no longer live', async () => {
      // Prepare
      const resources = [
        ...network(),
        endpoint('vpce-s3', 'vpc-1', S3, { state: 'deleting', routeTableIds: ['rtb-private'] }),
      ];

      // Act
      const verdict = await evaluate('rtb-private', resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('Fix: vpce-s3 is deleting: replace it');
    });

    it('mentions a pl- route whose endpoint is not in the VPC', async () => {
      // Prepare
      const resources = network([
        route('0.0.0.0/0', 'nat-gateway', 'nat-1'),
        route('pl-63a5400a', 'vpc-endpoint', 'vpce-gone'),
      ]);

      // Act
      const verdict = await evaluate('rtb-private', resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('pl-63a5400a → vpce-gone');
    });

    it('mentions an Interface endpoint of the service that cannot fix the route', async () => {
      // Prepare
      const resources = [
        ...network(),
        endpoint('vpce-if', 'vpc-1', S3, { endpointType: 'Interface' }),
      ];

      // Act
      const verdict = await evaluate('rtb-private', resources);

      // Assess
      expect(verdict.annotation).toContain('Interface endpoint vpce-if exists');
    });

    it('derives the region from endpoint service names when the table has none', async () => {
      // Prepare
      const resources = [
        ...network().map((r) =>
          r.type === 'AWS::EC2::RouteTable' ? { ...r, region: undefined } : r,
        ),
        endpoint('vpce-sts', 'vpc-1', 'com.amazonaws.eu-west-1.sts', { endpointType: 'Interface' }),
      ];

      // Act
      const verdict = await evaluate('rtb-private', resources);

      // Assess
      expect(verdict.annotation).toContain('com.amazonaws.eu-west-1.s3');
    });

    it('returns NOT_APPLICABLE for a public table', async () => {
      // Prepare
      const resources = network([route('0.0.0.0/0', 'internet-gateway', 'igw-1')]);

      // Act
      const verdict = await evaluate('rtb-private', resources);

      // Assess
      expect(verdict.compliance).toBe('NOT_APPLICABLE');
      expect(verdict.annotation).toContain('public route table');
      expect(verdict.annotation).toContain('internet gateway igw-1');
    });

    it('returns NOT_APPLICABLE for a table without a default route', async () => {
      // Act
      const verdict = await evaluate('rtb-private', network([]));

      // Assess
      expect(verdict.compliance).toBe('NOT_APPLICABLE');
      expect(verdict.annotation).toContain('no default route');
    });

    it('returns NOT_APPLICABLE when the default route is a blackhole', async () => {
      // Prepare
      const resources = network([route('0.0.0.0/0', 'nat-gateway', 'nat-deleted', 'blackhole')]);

      // Act
      const verdict = await evaluate('rtb-private', resources);

      // Assess
      expect(verdict.compliance).toBe('NOT_APPLICABLE');
      expect(verdict.annotation).toContain('blackhole');
    });

    it('returns NOT_APPLICABLE for a main table when every subnet has its own table', async () => {
      // Prepare
      const resources = [
        vpc('vpc-1', ['10.0.0.0/16']),
        subnet('subnet-a', 'vpc-1'),
        routeTable('rtb-main', 'vpc-1', [route('0.0.0.0/0', 'nat-gateway', 'nat-1')], [main]),
        routeTable(
          'rtb-a',
          'vpc-1',
          [route('0.0.0.0/0', 'nat-gateway', 'nat-1')],
          [explicit('subnet-a')],
        ),
      ];

      // Act
      const verdict = await evaluate('rtb-main', resources);

      // Assess
      expect(verdict.compliance).toBe('NOT_APPLICABLE');
      expect(verdict.annotation).toContain('serves no subnet');
    });

    it('returns NOT_APPLICABLE for a table with no association at all', async () => {
      // Prepare
      const resources = [
        ...network(),
        routeTable('rtb-orphan', 'vpc-1', [route('0.0.0.0/0', 'nat-gateway', 'nat-1')], []),
      ];

      // Act
      const verdict = await evaluate('rtb-orphan', resources);

      // Assess
      expect(verdict.compliance).toBe('NOT_APPLICABLE');
      expect(verdict.annotation).toContain('is not the main table');
    });
  });

  describe('dependents', () => {
    const resources = [
      ...network(),
      vpc('vpc-2', ['10.1.0.0/16']),
      routeTable('rtb-other-vpc', 'vpc-2', [], [main]),
    ];
    const view = SnapshotView.fromResources(resources);
    const ids = (refs: { id: string }[]) => refs.map((r) => r.id).sort();

    it('re-evaluates the route tables of an endpoint VPC when the endpoint changes', async () => {
      // Prepare
      const changed = endpoint('vpce-new', 'vpc-1', S3, { routeTableIds: ['rtb-private'] });

      // Act
      const refs = (await rule.dependents?.(changed, view)) ?? [];

      // Assess
      expect(ids(refs)).toEqual(['rtb-main', 'rtb-private']);
      expect(refs.every((r) => r.type === 'AWS::EC2::RouteTable')).toBe(true);
    });

    it('re-evaluates the route tables of a subnet VPC when the subnet changes', async () => {
      // Act
      const refs = (await rule.dependents?.(subnet('subnet-new', 'vpc-2'), view)) ?? [];

      // Assess
      expect(ids(refs)).toEqual(['rtb-other-vpc']);
    });

    it('re-evaluates a changed table and the main table of its VPC', async () => {
      // Prepare
      const changed = routeTable('rtb-private', 'vpc-1', [], [explicit('subnet-a')]);

      // Act
      const refs = (await rule.dependents?.(changed, view)) ?? [];

      // Assess
      expect(ids(refs)).toEqual(['rtb-main', 'rtb-private']);
    });

    it('re-evaluates the main table too when Config says the associations changed', async () => {
      const changed = routeTable('rtb-private', 'vpc-1', [], [explicit('subnet-a')]);

      const refs =
        (await rule.dependents?.(changed, view, {
          changedProperties: ['Configuration.Associations.1'],
        })) ?? [];

      expect(ids(refs)).toEqual(['rtb-main', 'rtb-private']);
    });

    it('re-evaluates only the changed table when Config says only its routes changed', async () => {
      const changed = routeTable('rtb-private', 'vpc-1', [], [explicit('subnet-a')]);

      const refs =
        (await rule.dependents?.(changed, view, {
          changedProperties: ['Configuration.Routes.2'],
        })) ?? [];

      expect(ids(refs)).toEqual(['rtb-private']);
    });

    it('returns nothing for other resource types', async () => {
      // Act & Assess
      expect(await rule.dependents?.(vpc('vpc-1', ['10.0.0.0/16']), view)).toEqual([]);
    });
  });
});
