import { ConfigItemParseError } from '../errors.js';
import {
  type EndpointIpAddressType,
  isResourceType,
  type PolicySource,
  PREFIX_LIST_TYPE,
  type PrefixList,
  type PublicAccessBlock,
  type Resource,
  type ResourceType,
  type Route,
  type RouteOrigin,
  type RouteTableAssociation,
  type RouteTarget,
  type SecurityGroupRule,
  type VpcEndpointType,
} from '../model/resources.js';
import { isRecord } from '../util/json.js';
import { captureTimeMillis } from '../util/time.js';

/**
 * AWS Config configuration items arrive in two serialisations (aws-config-contract.md §3.1): the
 * event/snapshot format (object `configuration`, mostly object supplementary values) and the API
 * format (JSON-string `configuration` and supplementary values, different top-level names). Both are
 * normalised here, once, into the model; nothing downstream sees either shape.
 */

type ItemStatus =
  | 'OK'
  | 'ResourceDiscovered'
  | 'ResourceNotRecorded'
  | 'ResourceDeleted'
  | 'ResourceDeletedNotRecorded';

const ITEM_STATUSES: readonly ItemStatus[] = [
  'OK',
  'ResourceDiscovered',
  'ResourceNotRecorded',
  'ResourceDeleted',
  'ResourceDeletedNotRecorded',
];

interface ConfigItem {
  resourceType: string;
  resourceId: string;
  resourceName?: string | undefined;
  status: ItemStatus;
  captureTime?: string | undefined;
  accountId?: string | undefined;
  region?: string | undefined;
  /** Absent for deleted or not-recorded items and for types vpce-guard does not model. */
  resource?: Resource | undefined;
  /** An `AWS::EC2::PrefixList` item: read for route analysis, never evaluated itself. */
  prefixList?: PrefixList | undefined;
}

interface ItemMeta {
  accountId?: string | undefined;
  region?: string | undefined;
  arn?: string | undefined;
  resourceName?: string | undefined;
  tags?: Record<string, string> | undefined;
}

type Json = Record<string, unknown>;

// Field names are a small fixed set; building the PascalCase twin once each keeps a sweep over
// thousands of items from allocating a string per missing optional field.
const pascalNames = new Map<string, string>();
const pascalOf = (name: string): string => {
  let pascal = pascalNames.get(name);
  if (pascal === undefined) {
    pascal = name.charAt(0).toUpperCase() + name.slice(1);
    pascalNames.set(name, pascal);
  }
  return pascal;
};

/** Config writes camelCase for EC2/S3 types and CloudFormation-registry types use PascalCase. */
const field = (obj: Json | undefined, name: string): unknown => {
  if (!obj) return undefined;
  const value = obj[name];
  return value !== undefined || name in obj ? value : obj[pascalOf(name)];
};

const str = (obj: Json | undefined, name: string): string | undefined => {
  const value = field(obj, name);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

/**
 * `field` for one name of an item's top level, read by name at the call site (`raw.resourceType`):
 * every item is read for the same dozen names, and a read by name stays fast where one generic
 * keyed read over every name and item shape does not.
 */
const orPascal = (value: unknown, raw: Json, name: string, pascal: string): unknown =>
  value !== undefined || name in raw ? value : raw[pascal];

/** `str` of a value already read. */
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

const num = (obj: Json | undefined, name: string): number | undefined => {
  const value = field(obj, name);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return undefined;
};

const bool = (obj: Json | undefined, name: string): boolean => {
  const value = field(obj, name);
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
};

/** `state` is a plain string in recorded items but `{value}` in the advanced-query schema. */
const stateOf = (obj: Json | undefined): string | undefined => {
  if (!obj) return undefined;
  const value = orPascal(obj.state, obj, 'state', 'State');
  const raw = isRecord(value) ? str(value, 'value') : typeof value === 'string' ? value : undefined;
  return raw?.toLowerCase();
};

const decodeJson = (value: unknown, what: string, ctx: ParseContext): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new ConfigItemParseError(`${what} is a string but not valid JSON`, ctx, { cause: error });
  }
};

interface ParseContext {
  resourceType?: string | undefined;
  resourceId?: string | undefined;
}

const arrayOf = (obj: Json | undefined, name: string, ctx: ParseContext): unknown[] => {
  const value = field(obj, name);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new ConfigItemParseError(`configuration.${name} should be a list`, ctx);
  }
  return value;
};

const objectsOf = (obj: Json | undefined, name: string, ctx: ParseContext): Json[] =>
  arrayOf(obj, name, ctx).filter(isRecord);

const stringsOf = (obj: Json | undefined, name: string, ctx: ParseContext): string[] =>
  arrayOf(obj, name, ctx).filter((item): item is string => typeof item === 'string');

/** Adds the tags of `value` (a Config `[{key, value}]` list or a `{key: value}` map) to `tags`. */
const tagsInto = (tags: Record<string, string>, value: unknown): void => {
  if (Array.isArray(value)) {
    for (const tag of value) {
      if (!isRecord(tag)) continue;
      const key = text(orPascal(tag.key, tag, 'key', 'Key'));
      const tagValue = orPascal(tag.value, tag, 'value', 'Value');
      if (key !== undefined) tags[key] = typeof tagValue === 'string' ? tagValue : '';
    }
  } else if (isRecord(value)) {
    for (const key of Object.keys(value)) {
      const tagValue = value[key];
      if (typeof tagValue === 'string') tags[key] = tagValue;
    }
  }
};

// NAT-instance routes name both the instance and its ENI; the instance is the more telling hop.
const TARGET_FIELDS: readonly (readonly [string, RouteTarget['kind']])[] = [
  ['natGatewayId', 'nat-gateway'],
  ['transitGatewayId', 'transit-gateway'],
  ['vpcPeeringConnectionId', 'vpc-peering'],
  ['egressOnlyInternetGatewayId', 'egress-only-internet-gateway'],
  ['carrierGatewayId', 'carrier-gateway'],
  ['localGatewayId', 'local-gateway'],
  ['coreNetworkArn', 'core-network'],
  ['odbNetworkArn', 'odb-network'],
  ['instanceId', 'instance'],
  ['networkInterfaceId', 'network-interface'],
];

const routeTargetOf = (route: Json): RouteTarget => {
  for (const [name, kind] of TARGET_FIELDS) {
    const id = str(route, name);
    if (id) return { kind, id };
  }
  const gatewayId = str(route, 'gatewayId');
  if (!gatewayId) return { kind: 'unknown', id: '' };
  if (gatewayId === 'local') return { kind: 'local', id: 'local' };
  if (gatewayId.startsWith('igw-')) return { kind: 'internet-gateway', id: gatewayId };
  if (gatewayId.startsWith('vpce-')) return { kind: 'vpc-endpoint', id: gatewayId };
  if (gatewayId.startsWith('vgw-')) return { kind: 'virtual-private-gateway', id: gatewayId };
  if (gatewayId.startsWith('nat-')) return { kind: 'nat-gateway', id: gatewayId };
  return { kind: 'unknown', id: gatewayId };
};

const ROUTE_ORIGINS: readonly RouteOrigin[] = [
  'CreateRouteTable',
  'CreateRoute',
  'EnableVgwRoutePropagation',
];

/** `origin` is a string in recorded items; Select results and some exporters lower-case it. */
const routeOriginOf = (route: Json): RouteOrigin | undefined => {
  const raw = field(route, 'origin');
  const text = isRecord(raw) ? str(raw, 'value') : typeof raw === 'string' ? raw : undefined;
  if (text === undefined) return undefined;
  const exact = ROUTE_ORIGINS.find((origin) => origin === text);
  if (exact) return exact;
  const lower = text.toLowerCase();
  return ROUTE_ORIGINS.find((origin) => origin.toLowerCase() === lower);
};

const routesOf = (configuration: Json, ctx: ParseContext): Route[] => {
  const routes: Route[] = [];
  for (const route of arrayOf(configuration, 'routes', ctx)) {
    if (!isRecord(route)) continue;
    routes.push({
      destinationCidr: str(route, 'destinationCidrBlock'),
      destinationIpv6Cidr: str(route, 'destinationIpv6CidrBlock'),
      destinationPrefixListId: str(route, 'destinationPrefixListId'),
      target: routeTargetOf(route),
      state: stateOf(route) === 'blackhole' ? 'blackhole' : 'active',
      origin: routeOriginOf(route),
    });
  }
  return routes;
};

const PROTOCOL_NAMES: Record<string, string> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

type CidrRange = { cidr: string; description?: string | undefined };

/** `[{<cidrField>, description}]` as ranges, entries without a CIDR left out. */
const rangesOf = (
  permission: Json,
  name: string,
  cidrField: string,
  ctx: ParseContext,
): CidrRange[] => {
  const ranges: CidrRange[] = [];
  for (const range of arrayOf(permission, name, ctx)) {
    if (!isRecord(range)) continue;
    const cidr = str(range, cidrField);
    if (cidr) ranges.push({ cidr, description: str(range, 'description') });
  }
  return ranges;
};

const hasCidr = (ranges: readonly CidrRange[], cidr: string): boolean => {
  for (const range of ranges) if (range.cidr === cidr) return true;
  return false;
};

const permissionOf = (permission: Json, ctx: ParseContext): SecurityGroupRule => {
  const rawProtocol = String(field(permission, 'ipProtocol') ?? '-1').toLowerCase();
  const ipv4 = rangesOf(permission, 'ipv4Ranges', 'cidrIp', ctx);
  // Older items carry only the legacy `ipRanges` list of strings (some exporters: of objects).
  const legacy = arrayOf(permission, 'ipRanges', ctx);
  for (const cidr of legacy) {
    if (typeof cidr === 'string' && !hasCidr(ipv4, cidr)) {
      ipv4.push({ cidr, description: undefined });
    }
  }
  for (const range of legacy) {
    if (!isRecord(range)) continue;
    const cidr = str(range, 'cidrIp');
    if (cidr && !hasCidr(ipv4, cidr)) ipv4.push({ cidr, description: str(range, 'description') });
  }
  const prefixListIds: string[] = [];
  const fromPort = num(permission, 'fromPort');
  const toPort = num(permission, 'toPort');
  const ipv6Ranges = rangesOf(permission, 'ipv6Ranges', 'cidrIpv6', ctx);
  for (const entry of arrayOf(permission, 'prefixListIds', ctx)) {
    const id = isRecord(entry) ? str(entry, 'prefixListId') : undefined;
    if (id) prefixListIds.push(id);
  }
  const groupRefs: SecurityGroupRule['groupRefs'] = [];
  for (const pair of arrayOf(permission, 'userIdGroupPairs', ctx)) {
    if (!isRecord(pair)) continue;
    const groupId = str(pair, 'groupId');
    if (groupId) {
      groupRefs.push({
        groupId,
        userId: str(pair, 'userId'),
        vpcId: str(pair, 'vpcId'),
        vpcPeeringConnectionId: str(pair, 'vpcPeeringConnectionId'),
      });
    }
  }
  return {
    protocol: PROTOCOL_NAMES[rawProtocol] ?? rawProtocol,
    fromPort,
    toPort,
    ipv4Ranges: ipv4,
    ipv6Ranges,
    prefixListIds,
    groupRefs,
  };
};

const permissionsOf = (
  configuration: Json,
  name: string,
  ctx: ParseContext,
): SecurityGroupRule[] => {
  const permissions: SecurityGroupRule[] = [];
  for (const permission of arrayOf(configuration, name, ctx)) {
    if (isRecord(permission)) permissions.push(permissionOf(permission, ctx));
  }
  return permissions;
};

/** A policy document recorded as text; an object (some exporters) is re-serialised. */
const policyFromDocument = (document: unknown): PolicySource => {
  if (document === undefined || document === null || document === '') return { kind: 'absent' };
  if (typeof document === 'string') return { kind: 'present', text: document };
  return { kind: 'present', text: JSON.stringify(document) };
};

/**
 * The supplementary configuration of an item. The API format writes each value as JSON text; those
 * are decoded when read (only the few values a rule uses are), not copied up front per item.
 */
interface Supplementary {
  values: Json;
  /** Values are JSON text where they are strings (the API format). */
  textValues: boolean;
}

const supplementaryField = (supplementary: Supplementary, name: string): unknown => {
  const value = field(supplementary.values, name);
  return supplementary.textValues && typeof value === 'string' ? tryJson(value) : value;
};

const bucketPolicyOf = (supplementary: Supplementary, ctx: ParseContext): PolicySource => {
  const raw = decodeJson(supplementaryField(supplementary, 'BucketPolicy'), 'BucketPolicy', ctx);
  if (raw === undefined || raw === null) return { kind: 'absent' };
  if (!isRecord(raw)) {
    throw new ConfigItemParseError('supplementaryConfiguration.BucketPolicy is not an object', ctx);
  }
  return policyFromDocument(raw.policyText);
};

const publicAccessBlockOf = (supplementary: Supplementary, ctx: ParseContext) => {
  const raw = decodeJson(
    supplementaryField(supplementary, 'PublicAccessBlockConfiguration'),
    'PublicAccessBlockConfiguration',
    ctx,
  );
  if (!isRecord(raw)) return undefined;
  const block: PublicAccessBlock = {
    blockPublicAcls: bool(raw, 'blockPublicAcls'),
    ignorePublicAcls: bool(raw, 'ignorePublicAcls'),
    blockPublicPolicy: bool(raw, 'blockPublicPolicy'),
    restrictPublicBuckets: bool(raw, 'restrictPublicBuckets'),
  };
  return block;
};

/** Adds the bucket's tag sets to `tags`, later sets overriding earlier ones. */
const bucketTagsInto = (
  tags: Record<string, string>,
  supplementary: Supplementary,
  ctx: ParseContext,
): void => {
  const raw = decodeJson(
    supplementaryField(supplementary, 'BucketTaggingConfiguration'),
    'BucketTaggingConfiguration',
    ctx,
  );
  if (!isRecord(raw)) return;
  for (const set of arrayOf(raw, 'tagSets', ctx)) {
    if (isRecord(set)) tagsInto(tags, field(set, 'tags'));
  }
};

/** Associated IPv6 blocks only: a disassociated block no longer belongs to the VPC or subnet. */
const ipv6BlocksOf = (configuration: Json, ctx: ParseContext): string[] => {
  // A loop, not flatMap (slow in V8): every VPC and subnet item comes through here.
  const blocks: string[] = [];
  for (const association of arrayOf(configuration, 'ipv6CidrBlockAssociationSet', ctx)) {
    if (!isRecord(association)) continue;
    const cidr = str(association, 'ipv6CidrBlock');
    const state = field(association, 'ipv6CidrBlockState');
    const value = isRecord(state) ? stateOf(state) : undefined;
    if (cidr && (value === undefined || value === 'associated')) blocks.push(cidr);
  }
  return blocks;
};

/**
 * The service an endpoint connects to. VPC Lattice endpoints (types Resource and ServiceNetwork)
 * name a resource configuration or service network instead of a service; their ARN stands in.
 */
const endpointServiceNameOf = (configuration: Json, ctx: ParseContext): string => {
  const name =
    str(configuration, 'serviceName') ??
    str(configuration, 'resourceConfigurationArn') ??
    str(configuration, 'serviceNetworkArn');
  if (!name) throw new ConfigItemParseError('configuration.serviceName is missing', ctx);
  return name;
};

const ENDPOINT_TYPES: readonly VpcEndpointType[] = [
  'Gateway',
  'Interface',
  'GatewayLoadBalancer',
  'Resource',
  'ServiceNetwork',
];

const endpointTypeOf = (value: string | undefined, ctx: ParseContext): VpcEndpointType => {
  const match = ENDPOINT_TYPES.find((type) => type.toLowerCase() === value?.toLowerCase());
  if (!match) throw new ConfigItemParseError(`unknown vpcEndpointType ${String(value)}`, ctx);
  return match;
};

const ipAddressTypeOf = (value: string | undefined): EndpointIpAddressType | undefined => {
  const lower = value?.toLowerCase();
  return lower === 'ipv4' || lower === 'dualstack' || lower === 'ipv6' ? lower : undefined;
};

/**
 * `dnsOptions.privateDnsOnlyForInboundResolverEndpoint`: a boolean as EC2 and Config record it
 * (left out of recorded DNS options when off), or CloudFormation's `OnlyInboundResolver` /
 * `AllResolvers`. `undefined` when no DNS options were recorded, or `NotSpecified` or an unknown
 * value: the route analysis must not take that as "answers the VPC".
 */
const inboundResolverOnlyOf = (configuration: Json): boolean | undefined => {
  const options = field(configuration, 'dnsOptions');
  if (!isRecord(options)) return undefined;
  const value = field(options, 'privateDnsOnlyForInboundResolverEndpoint');
  if (value === undefined || value === null || typeof value === 'boolean') return value === true;
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === 'onlyinboundresolver') return true;
  if (lower === 'false' || lower === 'allresolvers') return false;
  return undefined;
};

const requireString = (obj: Json, name: string, ctx: ParseContext): string => {
  const value = str(obj, name);
  if (!value) throw new ConfigItemParseError(`configuration.${name} is missing`, ctx);
  return value;
};

/** VPC CIDR blocks: the primary one, then associated (or associating-state-less) ones, once each. */
const vpcCidrsOf = (configuration: Json, ctx: ParseContext): string[] => {
  const cidrs: string[] = [];
  const primary = str(configuration, 'cidrBlock');
  if (primary) cidrs.push(primary);
  for (const assoc of arrayOf(configuration, 'cidrBlockAssociationSet', ctx)) {
    if (!isRecord(assoc)) continue;
    const state = field(assoc, 'cidrBlockState');
    const cidr = str(assoc, 'cidrBlock');
    if (!cidr || cidrs.includes(cidr)) continue;
    if (!isRecord(state)) cidrs.push(cidr);
    else {
      const value = stateOf(state);
      if (value === 'associated' || value === undefined) cidrs.push(cidr);
    }
  }
  return cidrs;
};

/** Disassociated or failed associations linger in items for a while; they route nothing. */
const associationsOf = (configuration: Json, ctx: ParseContext): RouteTableAssociation[] => {
  const associations: RouteTableAssociation[] = [];
  for (const assoc of arrayOf(configuration, 'associations', ctx)) {
    if (!isRecord(assoc)) continue;
    const state = field(assoc, 'associationState');
    const value = isRecord(state) ? stateOf(state) : undefined;
    if (value === undefined || value === 'associated' || value === 'associating') {
      associations.push({
        subnetId: str(assoc, 'subnetId'),
        gatewayId: str(assoc, 'gatewayId'),
        main: bool(assoc, 'main'),
      });
    }
  }
  return associations;
};

const securityGroupIdsOf = (configuration: Json, ctx: ParseContext): string[] => {
  const ids: string[] = [];
  for (const group of arrayOf(configuration, 'groups', ctx)) {
    const groupId = isRecord(group) ? str(group, 'groupId') : undefined;
    if (groupId) ids.push(groupId);
  }
  return ids;
};

const allowedPrincipalsOf = (decoded: unknown): string[] | undefined => {
  if (!Array.isArray(decoded)) return undefined;
  const principals: string[] = [];
  for (const entry of decoded) {
    if (typeof entry === 'string') principals.push(entry);
    else if (isRecord(entry)) {
      const principal = str(entry, 'principal');
      if (principal) principals.push(principal);
    }
  }
  return principals;
};

/**
 * Builds the model resource in one pass: one object literal per type (the same shape for every
 * resource of a type) and one tag object filled in order of precedence (bucket tag sets, then the
 * configuration's tags, then the item's), so a sweep over many items copies nothing.
 */
const buildResource = (
  type: ResourceType,
  id: string,
  configuration: Json,
  supplementary: Supplementary,
  meta: ItemMeta,
  itemTags: unknown,
): Resource => {
  const ctx: ParseContext = { resourceType: type, resourceId: id };
  const { accountId, region } = meta;
  const tags: Record<string, string> = {};
  if (type === 'AWS::S3::Bucket') bucketTagsInto(tags, supplementary, ctx);
  tagsInto(tags, orPascal(configuration.tags, configuration, 'tags', 'Tags'));
  tagsInto(tags, itemTags);
  switch (type) {
    case 'AWS::S3::Bucket': {
      const name = str(configuration, 'name');
      return {
        id,
        accountId,
        region,
        arn: meta.arn ?? `arn:aws:s3:::${name ?? id}`,
        tags,
        type,
        name: name ?? meta.resourceName ?? id,
        policy: bucketPolicyOf(supplementary, ctx),
        publicAccessBlock: publicAccessBlockOf(supplementary, ctx),
      };
    }
    case 'AWS::EC2::VPC':
      return {
        id,
        accountId,
        region,
        arn: meta.arn,
        tags,
        type,
        cidrBlocks: vpcCidrsOf(configuration, ctx),
        ipv6CidrBlocks: ipv6BlocksOf(configuration, ctx),
        isDefault: bool(configuration, 'isDefault'),
        state: stateOf(configuration),
      };
    case 'AWS::EC2::Subnet':
      return {
        id,
        accountId,
        region,
        arn: meta.arn,
        tags,
        type,
        vpcId: requireString(configuration, 'vpcId', ctx),
        cidrBlock: str(configuration, 'cidrBlock'),
        ipv6CidrBlocks: ipv6BlocksOf(configuration, ctx),
        availabilityZone: str(configuration, 'availabilityZone'),
        mapPublicIpOnLaunch: bool(configuration, 'mapPublicIpOnLaunch'),
        ipv6Native: bool(configuration, 'ipv6Native'),
        enableDns64: bool(configuration, 'enableDns64'),
      };
    case 'AWS::EC2::RouteTable':
      return {
        id,
        accountId,
        region,
        arn: meta.arn,
        tags,
        type,
        vpcId: requireString(configuration, 'vpcId', ctx),
        routes: routesOf(configuration, ctx),
        associations: associationsOf(configuration, ctx),
      };
    case 'AWS::EC2::VPCEndpoint':
      return {
        id,
        accountId,
        region,
        arn: meta.arn,
        tags,
        type,
        vpcId: requireString(configuration, 'vpcId', ctx),
        serviceName: endpointServiceNameOf(configuration, ctx),
        endpointType: endpointTypeOf(str(configuration, 'vpcEndpointType'), ctx),
        state: stateOf(configuration) ?? 'available',
        policy: policyFromDocument(field(configuration, 'policyDocument')),
        routeTableIds: stringsOf(configuration, 'routeTableIds', ctx),
        subnetIds: stringsOf(configuration, 'subnetIds', ctx),
        securityGroupIds: securityGroupIdsOf(configuration, ctx),
        privateDnsEnabled: bool(configuration, 'privateDnsEnabled'),
        ownerId: str(configuration, 'ownerId'),
        ipAddressType: ipAddressTypeOf(str(configuration, 'ipAddressType')),
        privateDnsOnlyForInboundResolverEndpoint: inboundResolverOnlyOf(configuration),
      };
    case 'AWS::EC2::SecurityGroup':
      return {
        id,
        accountId,
        region,
        arn: meta.arn,
        tags,
        type,
        vpcId: str(configuration, 'vpcId'),
        groupName: str(configuration, 'groupName') ?? id,
        ingress: permissionsOf(configuration, 'ipPermissions', ctx),
        egress: permissionsOf(configuration, 'ipPermissionsEgress', ctx),
      };
    case 'AWS::EC2::NatGateway':
      return {
        id,
        accountId,
        region,
        arn: meta.arn,
        tags,
        type,
        vpcId: requireString(configuration, 'vpcId', ctx),
        subnetId: str(configuration, 'subnetId'),
        state: stateOf(configuration),
        connectivityType:
          str(configuration, 'connectivityType') === 'private' ? 'private' : 'public',
      };
    case 'AWS::EC2::VPCEndpointService': {
      const principals =
        field(configuration, 'allowedPrincipals') ??
        supplementaryField(supplementary, 'allowedPrincipals');
      const decoded = decodeJson(principals, 'allowedPrincipals', ctx);
      return {
        id,
        accountId,
        region,
        arn: meta.arn,
        tags,
        type,
        serviceName: str(configuration, 'serviceName'),
        acceptanceRequired: bool(configuration, 'acceptanceRequired'),
        allowedPrincipals: allowedPrincipalsOf(decoded),
        state: str(configuration, 'serviceState')?.toLowerCase() ?? stateOf(configuration),
      };
    }
  }
};

/**
 * Builds the model resource from a decoded `configuration` and `supplementaryConfiguration`. Shared
 * by both serialisations and by Select results.
 */
const resourceFromConfiguration = (
  type: ResourceType,
  id: string,
  configuration: Json,
  supplementary: Json,
  meta: ItemMeta = {},
): Resource =>
  buildResource(
    type,
    id,
    configuration,
    { values: supplementary, textValues: false },
    meta,
    meta.tags,
  );

/**
 * An `AWS::EC2::PrefixList` configuration (the CloudFormation-registry shape: `PrefixListId`,
 * `PrefixListName`, `AddressFamily`, `Entries[{Cidr}]`; camelCase spellings read too).
 */
const prefixListFromConfiguration = (id: string, configuration: Json, ctx: ParseContext) => {
  const family = str(configuration, 'addressFamily')?.toLowerCase();
  const prefixList: PrefixList = {
    id: str(configuration, 'prefixListId') ?? id,
    name: str(configuration, 'prefixListName'),
    addressFamily: family === 'ipv4' ? 'IPv4' : family === 'ipv6' ? 'IPv6' : undefined,
    ownerId: str(configuration, 'ownerId'),
    cidrs: objectsOf(configuration, 'entries', ctx).flatMap((entry) => {
      const cidr = str(entry, 'cidr');
      return cidr ? [cidr] : [];
    }),
  };
  return prefixList;
};

const timeString = (value: unknown): string | undefined => {
  if (typeof value === 'string' && value.length > 0 && Number.isNaN(Number(value))) return value;
  // Epoch seconds (the API's JSON) and milliseconds alike; out of range is no time, not a crash.
  const millis = captureTimeMillis(value);
  return millis === undefined ? undefined : new Date(millis).toISOString();
};

const decodeSupplementary = (value: unknown, ctx: ParseContext): Supplementary => {
  const decoded = decodeJson(value, 'supplementaryConfiguration', ctx);
  if (decoded === undefined || decoded === null) return { values: {}, textValues: true };
  if (!isRecord(decoded)) {
    throw new ConfigItemParseError('supplementaryConfiguration is not an object', ctx);
  }
  // API format: each value is a JSON string; event format: mostly objects already.
  return { values: decoded, textValues: true };
};

const tryJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * Reads one configuration item in either serialisation. Throws `ConfigItemParseError` naming the
 * resource when the item is malformed, never a TypeError from deep inside a rule.
 */
const parseConfigurationItem = (raw: unknown): ConfigItem => {
  if (!isRecord(raw)) {
    throw new ConfigItemParseError('the item is not a JSON object', {});
  }
  const resourceType = text(orPascal(raw.resourceType, raw, 'resourceType', 'ResourceType'));
  const resourceId = text(orPascal(raw.resourceId, raw, 'resourceId', 'ResourceId'));
  const ctx: ParseContext = { resourceType, resourceId };
  if (!resourceType) throw new ConfigItemParseError('resourceType is missing', ctx);
  if (!resourceId) throw new ConfigItemParseError('resourceId is missing', ctx);
  const rawStatus =
    text(
      orPascal(
        raw.configurationItemStatus,
        raw,
        'configurationItemStatus',
        'ConfigurationItemStatus',
      ),
    ) ?? 'OK';
  const status = ITEM_STATUSES.find((known) => known === rawStatus);
  if (!status) throw new ConfigItemParseError(`unknown configurationItemStatus ${rawStatus}`, ctx);
  const item: ConfigItem = {
    resourceType,
    resourceId,
    resourceName: text(orPascal(raw.resourceName, raw, 'resourceName', 'ResourceName')),
    status,
    captureTime: timeString(
      orPascal(
        raw.configurationItemCaptureTime,
        raw,
        'configurationItemCaptureTime',
        'ConfigurationItemCaptureTime',
      ),
    ),
    accountId:
      text(orPascal(raw.awsAccountId, raw, 'awsAccountId', 'AwsAccountId')) ??
      text(orPascal(raw.accountId, raw, 'accountId', 'AccountId')),
    region: text(orPascal(raw.awsRegion, raw, 'awsRegion', 'AwsRegion')),
  };
  const recorded = status === 'OK' || status === 'ResourceDiscovered';
  const prefixList = resourceType === PREFIX_LIST_TYPE;
  if (!recorded || !(isResourceType(resourceType) || prefixList)) return item;

  const configuration = decodeJson(
    orPascal(raw.configuration, raw, 'configuration', 'Configuration'),
    'configuration',
    ctx,
  );
  if (!isRecord(configuration)) {
    throw new ConfigItemParseError('configuration is missing or not an object', ctx);
  }
  if (prefixList) {
    // A list recorded without its entries is one whose ranges are unknown, not an empty list: left
    // out of the view, routes to it stay undecided (could not verify) rather than matching nothing.
    const entries = field(configuration, 'entries');
    if (entries !== undefined && entries !== null) {
      item.prefixList = prefixListFromConfiguration(resourceId, configuration, ctx);
    }
    return item;
  }
  if (!isResourceType(resourceType)) return item;
  const supplementary = decodeSupplementary(
    orPascal(
      raw.supplementaryConfiguration,
      raw,
      'supplementaryConfiguration',
      'SupplementaryConfiguration',
    ),
    ctx,
  );
  try {
    item.resource = buildResource(
      resourceType,
      resourceId,
      configuration,
      supplementary,
      {
        accountId: item.accountId,
        region: item.region,
        arn: text(raw.ARN) ?? text(orPascal(raw.arn, raw, 'arn', 'Arn')),
        resourceName: item.resourceName,
      },
      orPascal(raw.tags, raw, 'tags', 'Tags'),
    );
  } catch (error) {
    if (error instanceof ConfigItemParseError) throw error;
    throw new ConfigItemParseError('unexpected shape', ctx, { cause: error });
  }
  return item;
};

export type { ConfigItem, ItemMeta, ItemStatus };
export {
  ITEM_STATUSES,
  PREFIX_LIST_TYPE,
  parseConfigurationItem,
  prefixListFromConfiguration,
  resourceFromConfiguration,
};
