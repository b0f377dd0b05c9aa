import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  CreateManagedPrefixListCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DescribeManagedPrefixListsCommand,
  GetManagedPrefixListEntriesCommand,
} from '@aws-sdk/client-ec2';
import { expect, it } from 'vitest';
import { parseCidr } from '../../src/network/cidr.js';
import { parseParams } from '../../src/rules/params.js';
import { privateSubnetGatewayEndpoints as rule } from '../../src/rules/private-subnet-gateway-endpoints.js';
import { createClients, createLiveView } from '../../src/sources/aws/index.js';
import { describeWithMoto, motoClientOptions } from './moto.js';

const S3_LIST = 'com.amazonaws.us-east-1.s3';

/**
 * The live prefix-list read against moto: DescribeManagedPrefixLists once per view,
 * GetManagedPrefixListEntries once per list asked about, and the route decision that uses them.
 */
describeWithMoto('managed prefix lists, live', (moto) => {
  const view = () => createLiveView({ ...motoClientOptions(moto.url), accountId: '123456789012' });

  it('reads an AWS-managed list by name with the entries EC2 reports', async () => {
    // Prepare: what EC2 itself says, looked up rather than hard-coded (moto generates the ids).
    const { ec2 } = createClients(motoClientOptions(moto.url));
    const described = await ec2.send(
      new DescribeManagedPrefixListsCommand({
        Filters: [{ Name: 'prefix-list-name', Values: [S3_LIST] }],
      }),
    );
    const id = described.PrefixLists?.[0]?.PrefixListId ?? '';
    const { Entries = [] } = await ec2.send(
      new GetManagedPrefixListEntriesCommand({ PrefixListId: id }),
    );

    // Act
    const lists = await view().prefixLists({ names: [S3_LIST] });

    // Assess
    expect(lists).toHaveLength(1);
    expect(lists[0]).toMatchObject({ id, name: S3_LIST, addressFamily: 'IPv4', ownerId: 'AWS' });
    expect(lists[0]?.cidrs).toEqual(Entries.map((entry) => entry.Cidr));
    expect(lists[0]?.cidrs.length).toBeGreaterThan(0);
    for (const cidr of lists[0]?.cidrs ?? []) expect(parseCidr(cidr)?.version).toBe(4);
  });

  it('reads a customer-managed list by id with its exact entries', async () => {
    // Prepare
    const { ec2 } = createClients(motoClientOptions(moto.url));
    const created = await ec2.send(
      new CreateManagedPrefixListCommand({
        PrefixListName: 'corp-egress',
        AddressFamily: 'IPv4',
        MaxEntries: 5,
        Entries: [{ Cidr: '198.51.100.0/24' }, { Cidr: '52.216.0.0/16' }],
      }),
    );
    const id = created.PrefixList?.PrefixListId ?? '';

    // Act
    const lists = await view().prefixLists({ ids: [id] });

    // Assess
    expect(lists.map((list) => list.id)).toEqual([id]);
    expect([...(lists[0]?.cidrs ?? [])].sort()).toEqual(['198.51.100.0/24', '52.216.0.0/16']);
  });

  it('describes the lists once per view and reads each list entries once', async () => {
    // Prepare
    const live = view();

    // Act
    await live.prefixLists({ names: [S3_LIST] });
    await live.prefixLists({ names: [S3_LIST, 'com.amazonaws.us-east-1.dynamodb'] });
    await live.prefixLists({ names: ['com.amazonaws.us-east-1.dynamodb'] });

    // Assess
    expect(live.counter.count('ec2:DescribeManagedPrefixLists')).toBe(1);
    expect(live.counter.count('ec2:GetManagedPrefixListEntries')).toBe(2);
  });

  it('finds a static route equal to an S3 prefix-list entry that sends S3 around the endpoint', async () => {
    // Prepare: a private subnet through NAT, the S3 Gateway endpoint associated (moto installs
    // its pl- route), and a static route to NAT for the first entry of the S3 list.
    const { ec2 } = createClients(motoClientOptions(moto.url));
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    const vpcId = Vpc?.VpcId ?? '';
    const { Subnet } = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: '10.9.1.0/24',
        AvailabilityZone: 'us-east-1a',
      }),
    );
    const { RouteTable } = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
    const tableId = RouteTable?.RouteTableId ?? '';
    await ec2.send(
      new AssociateRouteTableCommand({ RouteTableId: tableId, SubnetId: Subnet?.SubnetId }),
    );
    const { AllocationId } = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const { NatGateway } = await ec2.send(
      new CreateNatGatewayCommand({ SubnetId: Subnet?.SubnetId, AllocationId }),
    );
    const natId = NatGateway?.NatGatewayId ?? '';
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: tableId,
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: natId,
      }),
    );
    const { VpcEndpoint } = await ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: vpcId,
        ServiceName: S3_LIST,
        VpcEndpointType: 'Gateway',
        RouteTableIds: [tableId],
      }),
    );
    const [s3List] = await view().prefixLists({ names: [S3_LIST] });
    const entry = s3List?.cidrs[0] ?? '';
    const live = view();
    const table = await live.get('AWS::EC2::RouteTable', tableId);
    if (!table) throw new Error('table not found');
    const params = parseParams(rule.id, rule.parameters, {});

    // Act
    const before = await rule.evaluate(table, live, params);
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: tableId,
        DestinationCidrBlock: entry,
        NatGatewayId: natId,
      }),
    );
    const after = view();
    const changed = await after.get('AWS::EC2::RouteTable', tableId);
    if (!changed) throw new Error('table not found');
    const verdict = await rule.evaluate(changed, after, params);

    // Assess
    expect(before.compliance, before.annotation).toBe('COMPLIANT');
    expect(before.annotation).toContain(VpcEndpoint?.VpcEndpointId ?? '');
    expect(verdict.compliance, verdict.annotation).toBe('NON_COMPLIANT');
    expect(verdict.annotation).toContain(`NAT gateway ${natId} (${entry})`);
    expect(verdict.annotation).toContain(`remove route ${entry} → ${natId}`);
  });
});
