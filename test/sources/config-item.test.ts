import { describe, expect, it } from 'vitest';
import { ConfigItemParseError } from '../../src/errors.js';
import { parseConfigurationItem } from '../../src/sources/config-item.js';
import { readFixture } from '../helpers/fixtures.js';

describe('parseConfigurationItem', () => {
  it('normalises the event and the API serialisation of a bucket to the same model', () => {
    // Prepare
    const eventItem = readFixture('items/bucket-event-format.json');
    const apiItem = readFixture('items/bucket-api-format.json');

    // Act
    const fromEvent = parseConfigurationItem(eventItem);
    const fromApi = parseConfigurationItem(apiItem);

    // Assess
    expect(fromEvent.resource).toEqual(fromApi.resource);
    expect(fromEvent.resource).toMatchObject({
      type: 'AWS::S3::Bucket',
      id: 'my-bucket',
      name: 'my-bucket',
      arn: 'arn:aws:s3:::my-bucket',
      tags: { DataClass: 'pci' },
      publicAccessBlock: { blockPublicAcls: true, restrictPublicBuckets: false },
    });
    expect(fromEvent.resource?.type === 'AWS::S3::Bucket' && fromEvent.resource.policy.kind).toBe(
      'present',
    );
    expect(fromEvent.accountId).toBe('111122223333');
    expect(fromApi.accountId).toBe('111122223333');
  });

  it('reads a bucket without a policy as an absent policy', () => {
    const item = structuredClone(readFixture('items/bucket-event-format.json')) as {
      supplementaryConfiguration: Record<string, unknown>;
    };
    item.supplementaryConfiguration.BucketPolicy = { policyText: null };

    const parsed = parseConfigurationItem(item);

    expect(parsed.resource).toMatchObject({ policy: { kind: 'absent' } });
  });

  it('classifies every route target of a route table and keeps blackholes apart', () => {
    const parsed = parseConfigurationItem(readFixture('items/route-table-api-format.json'));

    expect(parsed.resource).toMatchObject({
      type: 'AWS::EC2::RouteTable',
      vpcId: 'vpc-0990dc6d',
      tags: { Env: 'prod', Name: 'private-a' },
      associations: [{ subnetId: 'subnet-0aa11', main: false }],
    });
    const routes = parsed.resource?.type === 'AWS::EC2::RouteTable' ? parsed.resource.routes : [];
    expect(routes.map((route) => [route.target.kind, route.target.id, route.state])).toEqual([
      ['local', 'local', 'active'],
      ['instance', 'i-0abc1234', 'active'],
      ['vpc-endpoint', 'vpce-0abc', 'active'],
      ['vpc-peering', 'pcx-0aa', 'blackhole'],
    ]);
    expect(routes[2]?.destinationPrefixListId).toBe('pl-63a5400a');
  });

  it('accepts Date capture times from the SDK and reports them as ISO strings', () => {
    const item = { ...(readFixture('items/route-table-api-format.json') as object) } as Record<
      string,
      unknown
    >;
    item.configurationItemCaptureTime = new Date('2026-11-20T09:15:00.000Z');

    expect(parseConfigurationItem(item).captureTime).toBe('2026-11-20T09:15:00.000Z');
  });

  it('gives no resource for a deleted item and never reads its null configuration', () => {
    const parsed = parseConfigurationItem({
      resourceType: 'AWS::EC2::VPCEndpoint',
      resourceId: 'vpce-0abc',
      configurationItemStatus: 'ResourceDeleted',
      configurationItemCaptureTime: '2026-11-20T09:15:00.000Z',
      configuration: null,
      relationships: [],
      tags: {},
    });

    expect(parsed.status).toBe('ResourceDeleted');
    expect(parsed.resource).toBeUndefined();
  });

  it('normalises security group permissions from legacy and current range lists', () => {
    const parsed = parseConfigurationItem({
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-e2fb6999',
      configurationItemStatus: 'OK',
      configuration: {
        groupName: 'endpoints',
        groupId: 'sg-e2fb6999',
        vpcId: 'vpc-f16e4296',
        ipPermissions: [
          {
            ipProtocol: '6',
            fromPort: 443,
            toPort: 443,
            ipRanges: ['10.0.0.0/16'],
            ipv4Ranges: [],
            ipv6Ranges: [{ cidrIpv6: '::/0' }],
            prefixListIds: [{ prefixListId: 'pl-1' }],
            userIdGroupPairs: [{ groupId: 'sg-1', userId: '111122223333' }],
          },
          { ipProtocol: '-1', ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }], ipRanges: ['0.0.0.0/0'] },
        ],
        ipPermissionsEgress: [],
      },
    });

    expect(parsed.resource).toMatchObject({
      groupName: 'endpoints',
      ingress: [
        {
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          ipv4Ranges: [{ cidr: '10.0.0.0/16' }],
          ipv6Ranges: [{ cidr: '::/0' }],
          prefixListIds: ['pl-1'],
          groupRefs: [{ groupId: 'sg-1', userId: '111122223333' }],
        },
        { protocol: '-1', fromPort: undefined, ipv4Ranges: [{ cidr: '0.0.0.0/0' }] },
      ],
    });
  });

  it('reads PascalCase CloudFormation-registry items such as endpoint services', () => {
    const parsed = parseConfigurationItem({
      resourceType: 'AWS::EC2::VPCEndpointService',
      resourceId: 'vpce-svc-0abc',
      configurationItemStatus: 'ResourceDiscovered',
      configuration: { ServiceId: 'vpce-svc-0abc', AcceptanceRequired: false },
    });

    expect(parsed.resource).toMatchObject({
      acceptanceRequired: false,
      allowedPrincipals: undefined,
    });
  });

  it('ignores route-table associations that are no longer associated', () => {
    const parsed = parseConfigurationItem({
      resourceType: 'AWS::EC2::RouteTable',
      resourceId: 'rtb-1',
      configurationItemStatus: 'OK',
      configuration: {
        vpcId: 'vpc-1',
        routes: [],
        associations: [
          { subnetId: 'subnet-live', main: false, associationState: { state: 'associated' } },
          { subnetId: 'subnet-gone', main: false, associationState: { state: 'disassociated' } },
          { main: true },
        ],
      },
    });

    expect(parsed.resource).toMatchObject({
      associations: [{ subnetId: 'subnet-live', main: false }, { main: true }],
    });
  });

  it('reads VPC Lattice endpoints, which name a resource configuration instead of a service', () => {
    const parsed = parseConfigurationItem({
      resourceType: 'AWS::EC2::VPCEndpoint',
      resourceId: 'vpce-lattice',
      configurationItemStatus: 'OK',
      configuration: {
        vpcEndpointId: 'vpce-lattice',
        vpcEndpointType: 'Resource',
        vpcId: 'vpc-1',
        state: 'available',
        resourceConfigurationArn:
          'arn:aws:vpc-lattice:us-east-1:111122223333:resourceconfiguration/rcfg-1',
      },
    });

    expect(parsed.resource).toMatchObject({
      endpointType: 'Resource',
      serviceName: 'arn:aws:vpc-lattice:us-east-1:111122223333:resourceconfiguration/rcfg-1',
    });
  });

  it('leaves disassociated IPv6 blocks out of a VPC', () => {
    const parsed = parseConfigurationItem({
      resourceType: 'AWS::EC2::VPC',
      resourceId: 'vpc-1',
      configurationItemStatus: 'OK',
      configuration: {
        cidrBlock: '10.0.0.0/16',
        ipv6CidrBlockAssociationSet: [
          { ipv6CidrBlock: '2600:1f18:aa:bb00::/56', ipv6CidrBlockState: { state: 'associated' } },
          {
            ipv6CidrBlock: '2600:1f18:cc:dd00::/56',
            ipv6CidrBlockState: { state: 'disassociated' },
          },
        ],
      },
    });

    expect(parsed.resource).toMatchObject({ ipv6CidrBlocks: ['2600:1f18:aa:bb00::/56'] });
  });

  it.each([
    ['not an object', 'nope', /not a JSON object/],
    ['no resourceType', { resourceId: 'x' }, /resourceType is missing/],
    [
      'configuration that is not JSON',
      { resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-1', configuration: '{oops' },
      /AWS::EC2::VPC vpc-1.*not valid JSON/,
    ],
    [
      'routes that are not a list',
      {
        resourceType: 'AWS::EC2::RouteTable',
        resourceId: 'rtb-1',
        configuration: { vpcId: 'vpc-1', routes: 'x' },
      },
      /rtb-1.*routes should be a list/,
    ],
    [
      'an endpoint without vpcId',
      {
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: 'vpce-1',
        configuration: { serviceName: 's', vpcEndpointType: 'Gateway' },
      },
      /vpce-1.*vpcId is missing/,
    ],
  ])('throws a ConfigItemParseError naming the resource for %s', (_name, raw, message) => {
    expect(() => parseConfigurationItem(raw)).toThrow(ConfigItemParseError);
    expect(() => parseConfigurationItem(raw)).toThrow(message);
  });
});

describe('parseConfigurationItem: network v2 fields', () => {
  it('reads an AWS::EC2::PrefixList item the same from the event and the API format', () => {
    // Act
    const fromEvent = parseConfigurationItem(readFixture('items/prefix-list-event-format.json'));
    const fromApi = parseConfigurationItem(readFixture('items/prefix-list-api-format.json'));

    // Assess
    expect(fromEvent.prefixList).toEqual({
      id: 'pl-0a1b2c3d4e5f60718',
      name: 'corp-egress',
      addressFamily: 'IPv4',
      ownerId: '111122223333',
      cidrs: ['198.51.100.0/24', '52.216.0.0/16'],
    });
    expect(fromApi.prefixList).toEqual(fromEvent.prefixList);
    expect(fromEvent.resource).toBeUndefined();
  });

  it('leaves out a prefix list recorded without its entries (unknown ranges), keeps an empty one', () => {
    // Prepare
    const fixture = readFixture('items/prefix-list-event-format.json') as {
      configuration: Record<string, unknown>;
    };
    const { Entries: _entries, ...withoutEntries } = fixture.configuration;

    // Act
    const unknown = parseConfigurationItem({ ...fixture, configuration: withoutEntries });
    const empty = parseConfigurationItem({
      ...fixture,
      configuration: { ...withoutEntries, Entries: [] },
    });

    // Assess: routes to an unknown list stay undecided instead of matching no address.
    expect(unknown.prefixList).toBeUndefined();
    expect(unknown.resourceType).toBe('AWS::EC2::PrefixList');
    expect(empty.prefixList).toMatchObject({ id: 'pl-0a1b2c3d4e5f60718', cidrs: [] });
  });

  it('reads route origins, so propagated routes rank below static ones', () => {
    // Act
    const parsed = parseConfigurationItem({
      resourceType: 'AWS::EC2::RouteTable',
      resourceId: 'rtb-1',
      configuration: {
        vpcId: 'vpc-1',
        routes: [
          { destinationCidrBlock: '10.0.0.0/16', gatewayId: 'local', origin: 'CreateRouteTable' },
          {
            destinationCidrBlock: '52.216.0.0/15',
            gatewayId: 'vgw-1',
            origin: 'EnableVgwRoutePropagation',
          },
          {
            destinationIpv6CidrBlock: '64:ff9b::/96',
            natGatewayId: 'nat-1',
            origin: 'createroute',
          },
          { destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-1' },
        ],
      },
    });

    // Assess
    const routes = parsed.resource?.type === 'AWS::EC2::RouteTable' ? parsed.resource.routes : [];
    expect(routes.map((route) => route.origin)).toEqual([
      'CreateRouteTable',
      'EnableVgwRoutePropagation',
      'CreateRoute',
      undefined,
    ]);
  });

  it('reads the IP address type of an endpoint and the IPv6-only and DNS64 flags of a subnet', () => {
    // Act
    const endpoint = parseConfigurationItem({
      resourceType: 'AWS::EC2::VPCEndpoint',
      resourceId: 'vpce-1',
      configuration: {
        vpcId: 'vpc-1',
        serviceName: 'com.amazonaws.us-east-1.s3',
        vpcEndpointType: 'Gateway',
        ipAddressType: 'dualstack',
      },
    }).resource;
    const subnet = parseConfigurationItem({
      resourceType: 'AWS::EC2::Subnet',
      resourceId: 'subnet-1',
      configuration: { vpcId: 'vpc-1', ipv6Native: true, enableDns64: true },
    }).resource;

    // Assess
    expect(endpoint).toMatchObject({ ipAddressType: 'dualstack' });
    expect(subnet).toMatchObject({ ipv6Native: true, enableDns64: true });
  });

  it('reads whether private DNS answers only inbound Resolver endpoints', () => {
    // Prepare
    const endpointWith = (dnsOptions: unknown) =>
      parseConfigurationItem({
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: 'vpce-1',
        configuration: {
          vpcId: 'vpc-1',
          serviceName: 'com.amazonaws.us-east-1.s3',
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          ...(dnsOptions === undefined ? {} : { dnsOptions }),
        },
      }).resource;

    // Act
    const inboundOnly = endpointWith({
      dnsRecordIpType: 'ipv4',
      privateDnsOnlyForInboundResolverEndpoint: true,
    });
    const everywhere = endpointWith({ dnsRecordIpType: 'ipv4' });
    const unrecorded = endpointWith(undefined);
    // CloudFormation spells the option as a string (AWS::EC2::VPCEndpoint DnsOptionsSpecification).
    const cfnInboundOnly = endpointWith({
      privateDnsOnlyForInboundResolverEndpoint: 'OnlyInboundResolver',
    });
    const cfnEverywhere = endpointWith({
      privateDnsOnlyForInboundResolverEndpoint: 'AllResolvers',
    });
    const cfnUnset = endpointWith({ privateDnsOnlyForInboundResolverEndpoint: 'NotSpecified' });

    // Assess
    expect(inboundOnly).toMatchObject({ privateDnsOnlyForInboundResolverEndpoint: true });
    expect(everywhere).toMatchObject({ privateDnsOnlyForInboundResolverEndpoint: false });
    expect(unrecorded).toMatchObject({ privateDnsOnlyForInboundResolverEndpoint: undefined });
    expect(cfnInboundOnly).toMatchObject({ privateDnsOnlyForInboundResolverEndpoint: true });
    expect(cfnEverywhere).toMatchObject({ privateDnsOnlyForInboundResolverEndpoint: false });
    expect(cfnUnset).toMatchObject({ privateDnsOnlyForInboundResolverEndpoint: undefined });
  });

  it('keeps the VPC and peering connection of a cross-VPC group reference', () => {
    // Act
    const group = parseConfigurationItem({
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceId: 'sg-1',
      configuration: {
        vpcId: 'vpc-1',
        ipPermissions: [
          {
            ipProtocol: 'tcp',
            fromPort: 443,
            toPort: 443,
            userIdGroupPairs: [
              {
                groupId: 'sg-peer',
                userId: '111122223333',
                vpcId: 'vpc-2',
                vpcPeeringConnectionId: 'pcx-1',
                peeringStatus: 'active',
              },
            ],
          },
        ],
      },
    }).resource;

    // Assess
    expect(group?.type === 'AWS::EC2::SecurityGroup' && group.ingress[0]?.groupRefs).toEqual([
      {
        groupId: 'sg-peer',
        userId: '111122223333',
        vpcId: 'vpc-2',
        vpcPeeringConnectionId: 'pcx-1',
      },
    ]);
  });
});
