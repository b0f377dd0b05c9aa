import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  DescribeImagesCommand,
  DescribeRouteTablesCommand,
  type EC2Client,
  ModifyVpcEndpointServicePermissionsCommand,
  RunInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import {
  CreateBucketCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  policyText,
  tlsOnlyStatement,
  vpceOnlyStatement,
} from '../../src/rules/example-policies.js';

/**
 * A realistic account in moto: three VPCs with public, NAT-gateway and NAT-instance subnets,
 * Gateway endpoints associated with some tables and not others, interface endpoints behind tight
 * and open security groups, and buckets with VPCE-only, TLS-only and no policies. Returns the ids
 * moto generated, named by role, so tests can assert on them.
 */

const REGION = 'us-east-1';

interface SeededAccount {
  prod: {
    vpcId: string;
    publicSubnetId: string;
    privateSubnetIds: [string, string];
    publicTableId: string;
    /** NAT gateway default route, S3 + DynamoDB Gateway endpoints associated. */
    privateTableId: string;
    /** NAT gateway default route, no Gateway endpoint. */
    uncoveredTableId: string;
    mainTableId: string;
    natGatewayId: string;
    igwId: string;
    s3EndpointId: string;
    dynamodbEndpointId: string;
    /** ssm, tight SG (443 from the VPC), private DNS on. */
    tightEndpointId: string;
    /** ecr.api, open SG (all traffic from 0.0.0.0/0), private DNS off. */
    openEndpointId: string;
    tightGroupId: string;
    openGroupId: string;
  };
  legacy: {
    vpcId: string;
    privateSubnetId: string;
    /** Default route to a NAT instance, no S3 endpoint. */
    natInstanceTableId: string;
    natInstanceId: string;
  };
  isolated: {
    vpcId: string;
    subnetId: string;
    /** Main table: local route only, S3 endpoint associated. */
    mainTableId: string;
    s3EndpointId: string;
  };
  buckets: { vpceOnly: string; tlsOnly: string; noPolicy: string };
  endpointService?: { serviceId: string } | undefined;
}

const nameTag = (resourceType: string, name: string) => [
  { ResourceType: resourceType as never, Tags: [{ Key: 'Name', Value: name }] as Tag[] },
];

const required = <T>(value: T | undefined, what: string): T => {
  if (value === undefined || value === null) throw new Error(`moto returned no ${what}`);
  return value;
};

const createVpc = async (ec2: EC2Client, cidr: string, name: string) => {
  const { Vpc } = await ec2.send(
    new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: nameTag('vpc', name) }),
  );
  return required(Vpc?.VpcId, 'VpcId');
};

const createSubnet = async (ec2: EC2Client, vpcId: string, cidr: string, name: string) => {
  const { Subnet } = await ec2.send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: cidr,
      AvailabilityZone: `${REGION}a`,
      TagSpecifications: nameTag('subnet', name),
    }),
  );
  return required(Subnet?.SubnetId, 'SubnetId');
};

const createTable = async (ec2: EC2Client, vpcId: string, name: string, subnetIds: string[]) => {
  const { RouteTable } = await ec2.send(
    new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: nameTag('route-table', name) }),
  );
  const tableId = required(RouteTable?.RouteTableId, 'RouteTableId');
  for (const subnetId of subnetIds) {
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: tableId, SubnetId: subnetId }));
  }
  return tableId;
};

const mainTableOf = async (ec2: EC2Client, vpcId: string) => {
  const { RouteTables } = await ec2.send(
    new DescribeRouteTablesCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'association.main', Values: ['true'] },
      ],
    }),
  );
  return required(RouteTables?.[0]?.RouteTableId, 'main RouteTableId');
};

const createGroup = async (
  ec2: EC2Client,
  vpcId: string,
  name: string,
  ingress: { protocol: string; from?: number; to?: number; cidr: string },
) => {
  const { GroupId } = await ec2.send(
    new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: name }),
  );
  const groupId = required(GroupId, 'GroupId');
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [
        {
          IpProtocol: ingress.protocol,
          FromPort: ingress.from,
          ToPort: ingress.to,
          IpRanges: [{ CidrIp: ingress.cidr }],
        },
      ],
    }),
  );
  return groupId;
};

const gatewayEndpoint = async (
  ec2: EC2Client,
  vpcId: string,
  service: string,
  tableIds: string[],
) => {
  const { VpcEndpoint } = await ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: vpcId,
      VpcEndpointType: 'Gateway',
      ServiceName: `com.amazonaws.${REGION}.${service}`,
      RouteTableIds: tableIds,
    }),
  );
  return required(VpcEndpoint?.VpcEndpointId, 'VpcEndpointId');
};

const interfaceEndpoint = async (
  ec2: EC2Client,
  vpcId: string,
  service: string,
  subnetIds: string[],
  groupId: string,
  privateDns: boolean,
) => {
  const { VpcEndpoint } = await ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: vpcId,
      VpcEndpointType: 'Interface',
      ServiceName: `com.amazonaws.${REGION}.${service}`,
      SubnetIds: subnetIds,
      SecurityGroupIds: [groupId],
      PrivateDnsEnabled: privateDns,
    }),
  );
  return required(VpcEndpoint?.VpcEndpointId, 'VpcEndpointId');
};

// moto's long-standing example AMI; listing every image moto knows takes about a second.
const MOTO_EXAMPLE_AMI = 'ami-12c6146b';

const anyImage = async (ec2: EC2Client): Promise<string> => {
  try {
    const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [MOTO_EXAMPLE_AMI] }));
    if (Images?.[0]?.ImageId) return Images[0].ImageId;
  } catch {
    // not in this moto version: fall through to the slow listing
  }
  const { Images } = await ec2.send(new DescribeImagesCommand({}));
  return required(Images?.[0]?.ImageId, 'ImageId');
};

const vpceOnlyPolicy = (bucket: string, endpointId: string) =>
  policyText([vpceOnlyStatement(bucket, [endpointId]), tlsOnlyStatement(bucket)]);

const tlsOnlyPolicy = (bucket: string) => policyText([tlsOnlyStatement(bucket)]);

/**
 * moto needs a load balancer for an endpoint service, and the project has no ELBv2 client; the
 * Query API is simple enough to call directly. Returns `undefined` if moto refuses.
 */
const createEndpointService = async (
  ec2: EC2Client,
  endpointUrl: string,
  subnetId: string,
): Promise<{ serviceId: string } | undefined> => {
  const body = new URLSearchParams({
    Action: 'CreateLoadBalancer',
    Version: '2015-12-01',
    Name: 'vg-service-nlb',
    Type: 'network',
    'Subnets.member.1': subnetId,
  });
  const response = await fetch(`${endpointUrl}/`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0',
    },
  });
  const arn = /<LoadBalancerArn>([^<]+)</.exec(await response.text())?.[1];
  if (!arn) return undefined;
  const { ServiceConfiguration } = await ec2.send(
    new CreateVpcEndpointServiceConfigurationCommand({
      NetworkLoadBalancerArns: [arn],
      AcceptanceRequired: false,
    }),
  );
  const serviceId = required(ServiceConfiguration?.ServiceId, 'ServiceId');
  await ec2.send(
    new ModifyVpcEndpointServicePermissionsCommand({
      ServiceId: serviceId,
      AddAllowedPrincipals: ['*'],
    }),
  );
  return { serviceId };
};

const seedAccount = async (
  clients: { ec2: EC2Client; s3: S3Client },
  endpointUrl: string,
): Promise<SeededAccount> => {
  const { ec2, s3 } = clients;

  // prod: public subnet on an IGW, two private subnets on a NAT gateway.
  const prodVpc = await createVpc(ec2, '10.0.0.0/16', 'prod');
  const prodPublic = await createSubnet(ec2, prodVpc, '10.0.0.0/24', 'prod-public');
  const prodPrivateA = await createSubnet(ec2, prodVpc, '10.0.1.0/24', 'prod-private-a');
  const prodPrivateB = await createSubnet(ec2, prodVpc, '10.0.2.0/24', 'prod-private-b');
  const { InternetGateway } = await ec2.send(new CreateInternetGatewayCommand({}));
  const igwId = required(InternetGateway?.InternetGatewayId, 'InternetGatewayId');
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: prodVpc }));
  const publicTable = await createTable(ec2, prodVpc, 'prod-public', [prodPublic]);
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: publicTable,
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: igwId,
    }),
  );
  const { AllocationId } = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  const { NatGateway } = await ec2.send(
    new CreateNatGatewayCommand({ SubnetId: prodPublic, AllocationId }),
  );
  const natGatewayId = required(NatGateway?.NatGatewayId, 'NatGatewayId');
  const privateTable = await createTable(ec2, prodVpc, 'prod-private-a', [prodPrivateA]);
  const uncoveredTable = await createTable(ec2, prodVpc, 'prod-private-b', [prodPrivateB]);
  for (const table of [privateTable, uncoveredTable]) {
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: table,
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: natGatewayId,
      }),
    );
  }
  const s3Endpoint = await gatewayEndpoint(ec2, prodVpc, 's3', [privateTable]);
  const dynamodbEndpoint = await gatewayEndpoint(ec2, prodVpc, 'dynamodb', [privateTable]);
  const tightGroup = await createGroup(ec2, prodVpc, 'endpoints-tight', {
    protocol: 'tcp',
    from: 443,
    to: 443,
    cidr: '10.0.0.0/16',
  });
  const openGroup = await createGroup(ec2, prodVpc, 'endpoints-open', {
    protocol: '-1',
    cidr: '0.0.0.0/0',
  });
  const tightEndpoint = await interfaceEndpoint(
    ec2,
    prodVpc,
    'ssm',
    [prodPrivateA, prodPrivateB],
    tightGroup,
    true,
  );
  const openEndpoint = await interfaceEndpoint(
    ec2,
    prodVpc,
    'ecr.api',
    [prodPrivateA],
    openGroup,
    false,
  );

  // legacy: a private subnet behind a NAT instance, no endpoints at all.
  const legacyVpc = await createVpc(ec2, '10.1.0.0/16', 'legacy');
  const legacyPublic = await createSubnet(ec2, legacyVpc, '10.1.0.0/24', 'legacy-public');
  const legacyPrivate = await createSubnet(ec2, legacyVpc, '10.1.1.0/24', 'legacy-private');
  const { Instances } = await ec2.send(
    new RunInstancesCommand({
      ImageId: await anyImage(ec2),
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: legacyPublic,
    }),
  );
  const natInstanceId = required(Instances?.[0]?.InstanceId, 'InstanceId');
  const natInstanceTable = await createTable(ec2, legacyVpc, 'legacy-private', [legacyPrivate]);
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: natInstanceTable,
      DestinationCidrBlock: '0.0.0.0/0',
      InstanceId: natInstanceId,
    }),
  );

  // isolated: no way out, S3 endpoint on the main table.
  const isolatedVpc = await createVpc(ec2, '10.2.0.0/16', 'isolated');
  const isolatedSubnet = await createSubnet(ec2, isolatedVpc, '10.2.1.0/24', 'isolated');
  const isolatedMain = await mainTableOf(ec2, isolatedVpc);
  const isolatedEndpoint = await gatewayEndpoint(ec2, isolatedVpc, 's3', [isolatedMain]);

  const buckets = {
    vpceOnly: 'vg-data-vpce-only',
    tlsOnly: 'vg-logs-tls-only',
    noPolicy: 'vg-scratch-no-policy',
  };
  for (const bucket of Object.values(buckets)) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: buckets.vpceOnly,
      Policy: vpceOnlyPolicy(buckets.vpceOnly, s3Endpoint),
    }),
  );
  await s3.send(
    new PutBucketPolicyCommand({ Bucket: buckets.tlsOnly, Policy: tlsOnlyPolicy(buckets.tlsOnly) }),
  );
  await s3.send(
    new PutBucketTaggingCommand({
      Bucket: buckets.vpceOnly,
      Tagging: { TagSet: [{ Key: 'data-classification', Value: 'cardholder' }] },
    }),
  );
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: buckets.vpceOnly,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
  );

  return {
    prod: {
      vpcId: prodVpc,
      publicSubnetId: prodPublic,
      privateSubnetIds: [prodPrivateA, prodPrivateB],
      publicTableId: publicTable,
      privateTableId: privateTable,
      uncoveredTableId: uncoveredTable,
      mainTableId: await mainTableOf(ec2, prodVpc),
      natGatewayId,
      igwId,
      s3EndpointId: s3Endpoint,
      dynamodbEndpointId: dynamodbEndpoint,
      tightEndpointId: tightEndpoint,
      openEndpointId: openEndpoint,
      tightGroupId: tightGroup,
      openGroupId: openGroup,
    },
    legacy: {
      vpcId: legacyVpc,
      privateSubnetId: legacyPrivate,
      natInstanceTableId: natInstanceTable,
      natInstanceId,
    },
    isolated: {
      vpcId: isolatedVpc,
      subnetId: isolatedSubnet,
      mainTableId: isolatedMain,
      s3EndpointId: isolatedEndpoint,
    },
    buckets,
    endpointService: await createEndpointService(ec2, endpointUrl, prodPublic),
  };
};

export type { SeededAccount };
export { REGION, seedAccount };
