import { compliant, notApplicable, type Verdict } from '../model/compliance.js';
import type { Resource, ResourceRef, RouteTable, Vpc, VpcEndpoint } from '../model/resources.js';
import { isLiveEndpoint } from '../network/gateway-endpoints.js';
import {
  expectedServiceName,
  isFullServiceName,
  matchesService,
  parseServiceName,
  regionFromServiceNames,
} from '../network/service-name.js';
import { firstThatFits, firstThatFitsOf, listSome } from '../network/text.js';
import type { AccountView } from '../sources/view.js';
import { defineRule } from './rule.js';

const RULE_ID = 'vpc-required-endpoints';

/**
 * Whether an endpoint's service satisfies one wanted service: the service itself or its FIPS
 * variant (`sts-fips` for `sts`, `ecr-fips.api` for `ecr.api`).
 */
const matchesRequirement = (serviceName: string, wanted: string): boolean => {
  if (matchesService(serviceName, wanted)) return true;
  if (isFullServiceName(wanted)) return false;
  const [first, ...rest] = wanted.trim().toLowerCase().split('.');
  const fips = [`${first}-fips`, ...rest].join('.');
  return matchesService(serviceName, fips) || matchesService(serviceName, `${wanted}-fips`);
};

/** Why an endpoint of the wanted service does not satisfy the requirement, or undefined. */
const whyNotUsable = (
  endpoint: VpcEndpoint,
  region: string | undefined,
  routedTo: ReadonlySet<string>,
): string | undefined => {
  if (!isLiveEndpoint(endpoint)) return `${endpoint.id} is ${endpoint.state}`;
  const parsed = parseServiceName(endpoint.serviceName);
  const serviceRegion = parsed.origin === 'aws' ? parsed.region : undefined;
  if (region && serviceRegion && serviceRegion !== region) {
    return `${endpoint.id} is for ${serviceRegion}, not ${region}`;
  }
  if (
    endpoint.endpointType === 'Gateway' &&
    endpoint.routeTableIds.length === 0 &&
    !routedTo.has(endpoint.id)
  ) {
    return `${endpoint.id} is a Gateway endpoint associated with no route table`;
  }
  return undefined;
};

const fixOfUnusable = (why: string): string => {
  const id = why.split(' ')[0] ?? why;
  if (why.includes('no route table')) return `associate ${id} with the VPC's private route tables`;
  if (why.includes(' is for '))
    return `create the endpoint of this region's service instead of ${id}`;
  return `replace ${id}`;
};

/** NOT_APPLICABLE for a VPC outside the tag scope; `undefined` when the rule applies. */
const scopeVerdict = (
  vpc: Vpc,
  params: { vpcTagKey?: string | undefined; vpcTagValue?: string | undefined },
): Verdict | undefined => {
  const { vpcTagKey, vpcTagValue } = params;
  if (vpcTagKey !== undefined) {
    // Own tags only: a key such as `constructor` must not find what every object inherits.
    const value = Object.hasOwn(vpc.tags, vpcTagKey) ? vpc.tags[vpcTagKey] : undefined;
    if (value === undefined || (vpcTagValue !== undefined && value !== vpcTagValue)) {
      return notApplicable(
        `${vpc.id} is out of scope: it has no tag ${vpcTagKey}${vpcTagValue !== undefined ? `=${vpcTagValue}` : ''}.`,
      );
    }
  }
  return undefined;
};

const hasUnlistedGateway = (endpoints: readonly VpcEndpoint[]): boolean =>
  endpoints.some((e) => e.endpointType === 'Gateway' && e.routeTableIds.length === 0);

const judgeVpc = (
  vpc: Vpc,
  requiredServices: readonly string[],
  endpoints: readonly VpcEndpoint[],
  tables: readonly RouteTable[],
): Verdict => {
  const region = vpc.region ?? regionFromServiceNames(endpoints.map((e) => e.serviceName));
  const routedTo = new Set<string>();
  for (const table of tables) {
    for (const route of table.routes) if (route.state === 'active') routedTo.add(route.target.id);
  }
  const found: string[] = [];
  const missing: { requirement: string; why?: string | undefined }[] = [];
  for (const requirement of requiredServices) {
    const alternatives = requirement.split('|');
    const judged = endpoints
      .filter((e) => alternatives.some((alt) => matchesRequirement(e.serviceName, alt)))
      .map((e) => ({ endpoint: e, why: whyNotUsable(e, region, routedTo) }));
    const usable = judged.find((candidate) => candidate.why === undefined);
    if (usable) found.push(`${requirement} (${usable.endpoint.id})`);
    else missing.push({ requirement, why: judged[0]?.why });
  }
  if (missing.length > 0) {
    const names = missing.map((m) => (m.why ? `${m.requirement} (${m.why})` : m.requirement));
    const fixes = missing.map((m) =>
      m.why
        ? fixOfUnusable(m.why)
        : `create ${expectedServiceName(
            m.requirement.split('|')[0] ?? m.requirement,
            region,
            endpoints.map((e) => e.serviceName),
          )}`,
    );
    const present = found.length > 0 ? `; present: ${found.join(', ')}` : '';
    const full = `${vpc.id} has no usable endpoint for ${names.join(', ')}${present}.`;
    return {
      compliance: 'NON_COMPLIANT',
      annotation: firstThatFitsOf(
        () => `${full} Fix: ${[...new Set(fixes)].join('; ')}.`,
        () =>
          `${vpc.id} has no usable endpoint for ${names.join(', ')}. Fix: ${[...new Set(fixes)].join('; ')}.`,
        () => `${vpc.id} has no usable endpoint for ${listSome(names, 2)}. Fix: ${fixes[0]}.`,
        () =>
          `${vpc.id} has no usable endpoint for ${listSome(
            missing.map((m) => m.requirement),
            3,
          )}.`,
      ),
      detail: `${full} Fix: ${[...new Set(fixes)].join('; ')}.`,
    };
  }
  return compliant(
    firstThatFits([
      found.length > 0
        ? `${vpc.id} has endpoints for every required service: ${found.join(', ')}.`
        : `${vpc.id}: requiredServices lists no service.`,
      `${vpc.id} has endpoints for every required service (${found.length}).`,
    ]),
  );
};

const vpcRequiredEndpoints = defineRule({
  id: RULE_ID,
  title: 'VPCs should have an endpoint for every required AWS service',
  description:
    "Evaluates each VPC (optionally only those carrying vpcTagKey, with vpcTagValue when given) and checks that it has a usable VPC endpoint for each service in requiredServices: in state available or pending, in the VPC, for the service of the VPC's own region, and, for a Gateway endpoint, associated with at least one route table (one that routes nothing carries no traffic). Services are given as short names (s3, ecr.dkr, sts) or full service names; a FIPS variant (sts-fips) satisfies its service, and a|b names alternatives.",
  rationale:
    'A VPC without an endpoint for a service it uses reaches that service over NAT or an internet gateway: the egress path cannot be closed, endpoint policies cannot restrict which accounts and resources are reachable, and aws:SourceVpce conditions on data stores cannot be satisfied.',
  severity: 'medium',
  resourceType: 'AWS::EC2::VPC',
  triggerTypes: ['AWS::EC2::VPCEndpoint'],
  frameworks: [
    { framework: 'PCI-DSS-4.0', id: '1.3.1', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.3.2', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.4.2', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.2.8', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '1.5.1', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: 'A1.1.3', strength: 'supporting' },
    { framework: 'HIPAA', id: '164.312(e)(1)', strength: 'supporting' },
  ],
  parameters: {
    requiredServices: {
      type: 'list',
      description:
        'Services every VPC in scope must have an endpoint for (short or full names). A FIPS variant (sts-fips) satisfies its service; a|b names alternatives (dynamodb|dynamodb-fips).',
      default: ['s3'],
      pattern: /^[a-z0-9][a-z0-9.-]*(?:\|[a-z0-9][a-z0-9.-]*)*$/,
    },
    vpcTagKey: {
      type: 'string',
      description: 'Only VPCs with this tag are in scope; others are NOT_APPLICABLE.',
    },
    vpcTagValue: {
      type: 'string',
      description: 'With vpcTagKey: only VPCs whose tag has this value are in scope.',
      requires: 'vpcTagKey',
    },
  },
  remediation:
    'Create the missing endpoints: a Gateway endpoint for s3 and dynamodb (associated with the private route tables), an Interface endpoint with private DNS for other services.',
  remediationExample:
    'aws ec2 create-vpc-endpoint --vpc-id vpc-0123456789abcdef0 --vpc-endpoint-type Interface --service-name com.amazonaws.us-east-1.sts --subnet-ids subnet-0123456789abcdef0 --security-group-ids sg-0123456789abcdef0 --private-dns-enabled',
  iamActions: ['ec2:DescribeVpcs', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeRouteTables'],
  async evaluate(vpc, view, params) {
    const outOfScope = scopeVerdict(vpc, params);
    if (outOfScope) return outOfScope;
    const endpoints = (await view.endpointsOfVpc(vpc.id)).filter((e) => e.vpcId === vpc.id);
    // Gateway endpoints that list no table may still hold a route (sources disagree): ask the
    // VPC's tables only when such an endpoint exists.
    const tables = hasUnlistedGateway(endpoints) ? await view.routeTablesOfVpc(vpc.id) : [];
    return judgeVpc(vpc, params.requiredServices, endpoints, tables);
  },
  evaluateSync(vpc, reads, params) {
    const outOfScope = scopeVerdict(vpc, params);
    if (outOfScope) return outOfScope;
    const endpoints = reads.endpointsOfVpc(vpc.id).filter((e) => e.vpcId === vpc.id);
    const tables = hasUnlistedGateway(endpoints) ? reads.routeTablesOfVpc(vpc.id) : [];
    return judgeVpc(vpc, params.requiredServices, endpoints, tables);
  },
  async dependents(changed: Resource, _view: AccountView): Promise<ResourceRef[]> {
    if (changed.type === 'AWS::EC2::VPCEndpoint')
      return [{ type: 'AWS::EC2::VPC', id: changed.vpcId }];
    if (changed.type === 'AWS::EC2::VPC') return [{ type: 'AWS::EC2::VPC', id: changed.id }];
    return [];
  },
});

export { vpcRequiredEndpoints };
