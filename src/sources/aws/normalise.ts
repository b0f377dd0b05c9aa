import type {
  ServiceDetail as SdkEndpointServiceDetail,
  ManagedPrefixList as SdkManagedPrefixList,
  NatGateway as SdkNatGateway,
  PrefixListEntry as SdkPrefixListEntry,
  RouteTable as SdkRouteTable,
  SecurityGroup as SdkSecurityGroup,
  ServiceConfiguration as SdkServiceConfiguration,
  Subnet as SdkSubnet,
  Vpc as SdkVpc,
  VpcEndpoint as SdkVpcEndpoint,
} from '@aws-sdk/client-ec2';
import type {
  Bucket,
  EndpointServiceDetails,
  NatGateway,
  PolicySource,
  PrefixList,
  PublicAccessBlock,
  ResourceOf,
  ResourceType,
  RouteTable,
  SecurityGroup,
  Subnet,
  Vpc,
  VpcEndpoint,
  VpcEndpointService,
} from '../../model/resources.js';
import { prefixListFromConfiguration, resourceFromConfiguration } from '../config-item.js';

/**
 * EC2/S3 describe output → the model. AWS Config records EC2 resources as the camelCased Describe
 * shape (aws-config-contract.md §3.1), so each SDK object is camelCased and handed to the same
 * `resourceFromConfiguration` the Config-item adapter uses: a route table read live and the same
 * route table read from Config become the same model object, and rules judge both identically.
 */

interface NormaliseMeta {
  region: string;
  /** The scanned account; used where a describe result carries no `OwnerId`. */
  accountId?: string | undefined;
}

type Json = Record<string, unknown>;

const camelKey = (key: string): string => key.charAt(0).toLowerCase() + key.slice(1);

/** Deep copy with camelCased keys, as Config records EC2 describe output. */
const camelCased = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(camelCased);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) {
    const result: Json = {};
    for (const [key, entry] of Object.entries(value)) {
      if (entry !== undefined) result[camelKey(key)] = camelCased(entry);
    }
    return result;
  }
  return value;
};

const partitionOf = (region: string): string =>
  region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

/** ARN path segments as AWS Config records them for each EC2 type. */
const ARN_SEGMENTS: Partial<Record<ResourceType, string>> = {
  'AWS::EC2::VPC': 'vpc',
  'AWS::EC2::Subnet': 'subnet',
  'AWS::EC2::RouteTable': 'route-table',
  'AWS::EC2::VPCEndpoint': 'vpc-endpoint',
  'AWS::EC2::SecurityGroup': 'security-group',
  'AWS::EC2::NatGateway': 'natgateway',
  'AWS::EC2::VPCEndpointService': 'vpc-endpoint-service',
};

const ec2Arn = (
  type: ResourceType,
  id: string,
  region: string,
  accountId: string | undefined,
): string | undefined => {
  const segment = ARN_SEGMENTS[type];
  if (!segment || !accountId) return undefined;
  return `arn:${partitionOf(region)}:ec2:${region}:${accountId}:${segment}/${id}`;
};

const fromDescribe = <T extends ResourceType>(
  type: T,
  id: string | undefined,
  sdkObject: object,
  meta: NormaliseMeta,
  extra: { ownerId?: string | undefined; arn?: string | undefined; supplementary?: Json } = {},
): ResourceOf<T> => {
  if (!id) throw new TypeError(`${type} in a describe result has no id`);
  const accountId = extra.ownerId ?? meta.accountId;
  return resourceFromConfiguration(
    type,
    id,
    camelCased(sdkObject) as Json,
    extra.supplementary ?? {},
    {
      accountId,
      region: meta.region,
      arn: extra.arn ?? ec2Arn(type, id, meta.region, accountId),
    },
  ) as ResourceOf<T>;
};

const vpcFromSdk = (vpc: SdkVpc, meta: NormaliseMeta): Vpc =>
  fromDescribe('AWS::EC2::VPC', vpc.VpcId, vpc, meta, { ownerId: vpc.OwnerId });

const subnetFromSdk = (subnet: SdkSubnet, meta: NormaliseMeta): Subnet =>
  fromDescribe('AWS::EC2::Subnet', subnet.SubnetId, subnet, meta, {
    ownerId: subnet.OwnerId,
    arn: subnet.SubnetArn,
  });

const routeTableFromSdk = (table: SdkRouteTable, meta: NormaliseMeta): RouteTable =>
  fromDescribe('AWS::EC2::RouteTable', table.RouteTableId, table, meta, { ownerId: table.OwnerId });

const vpcEndpointFromSdk = (endpoint: SdkVpcEndpoint, meta: NormaliseMeta): VpcEndpoint =>
  fromDescribe('AWS::EC2::VPCEndpoint', endpoint.VpcEndpointId, endpoint, meta, {
    ownerId: endpoint.OwnerId,
  });

const securityGroupFromSdk = (group: SdkSecurityGroup, meta: NormaliseMeta): SecurityGroup =>
  fromDescribe('AWS::EC2::SecurityGroup', group.GroupId, group, meta, {
    ownerId: group.OwnerId,
    arn: group.SecurityGroupArn,
  });

const natGatewayFromSdk = (gateway: SdkNatGateway, meta: NormaliseMeta): NatGateway =>
  fromDescribe('AWS::EC2::NatGateway', gateway.NatGatewayId, gateway, meta);

/**
 * `allowedPrincipals` comes from DescribeVpcEndpointServicePermissions; `undefined` when that read
 * was not possible, so rules can tell "nobody allowed" from "not known".
 */
const endpointServiceFromSdk = (
  service: SdkServiceConfiguration,
  allowedPrincipals: string[] | undefined,
  meta: NormaliseMeta,
): VpcEndpointService =>
  fromDescribe('AWS::EC2::VPCEndpointService', service.ServiceId, service, meta, {
    supplementary: allowedPrincipals ? { allowedPrincipals } : {},
  });

/** A managed prefix list with the entries GetManagedPrefixListEntries returned. */
const prefixListFromSdk = (
  list: SdkManagedPrefixList,
  entries: readonly SdkPrefixListEntry[],
): PrefixList => {
  if (!list.PrefixListId) throw new TypeError('a managed prefix list has no id');
  return prefixListFromConfiguration(
    list.PrefixListId,
    camelCased({ ...list, Entries: entries }) as Json,
    { resourceType: 'AWS::EC2::PrefixList', resourceId: list.PrefixListId },
  );
};

const endpointServiceDetailsFromSdk = (
  detail: SdkEndpointServiceDetail,
): EndpointServiceDetails => ({
  serviceName: detail.ServiceName ?? '',
  policySupported: detail.VpcEndpointPolicySupported,
  owner: detail.Owner,
});

interface BucketReads {
  name: string;
  region: string;
  accountId?: string | undefined;
  policy: PolicySource;
  tags: Record<string, string>;
  tagsUnreadable?: string | undefined;
  publicAccessBlock?: PublicAccessBlock | undefined;
}

/** Builds a bucket from the separate S3 reads (GetBucketPolicy, GetBucketTagging, GetPublicAccessBlock). */
const bucketFromReads = (reads: BucketReads): Bucket => {
  const supplementary: Json = {
    BucketPolicy: { policyText: reads.policy.kind === 'present' ? reads.policy.text : null },
    BucketTaggingConfiguration: { tagSets: [{ tags: reads.tags }] },
  };
  if (reads.publicAccessBlock)
    supplementary.PublicAccessBlockConfiguration = reads.publicAccessBlock;
  const bucket = resourceFromConfiguration(
    'AWS::S3::Bucket',
    reads.name,
    { name: reads.name },
    supplementary,
    {
      accountId: reads.accountId,
      region: reads.region,
      arn: `arn:${partitionOf(reads.region)}:s3:::${reads.name}`,
    },
  ) as Bucket;
  // Config has no way to say "denied"; only a live read can, so it is set after the shared adapter.
  return {
    ...bucket,
    ...(reads.policy.kind === 'unreadable' ? { policy: reads.policy } : {}),
    ...(reads.tagsUnreadable ? { tagsUnreadable: reads.tagsUnreadable } : {}),
  };
};

export type { BucketReads, NormaliseMeta };
export {
  bucketFromReads,
  camelCased,
  ec2Arn,
  endpointServiceDetailsFromSdk,
  endpointServiceFromSdk,
  natGatewayFromSdk,
  partitionOf,
  prefixListFromSdk,
  routeTableFromSdk,
  securityGroupFromSdk,
  subnetFromSdk,
  vpcEndpointFromSdk,
  vpcFromSdk,
};
