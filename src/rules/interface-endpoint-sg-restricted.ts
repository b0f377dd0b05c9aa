import {
  compliant,
  nonCompliant,
  notApplicable,
  unverifiable,
  type Verdict,
} from '../model/compliance.js';
import type {
  Resource,
  ResourceRef,
  SecurityGroup,
  SecurityGroupRef,
  SecurityGroupRule,
  Vpc,
  VpcEndpoint,
} from '../model/resources.js';
import { isAnyAddress, isCidrWithinAny, parseCidr } from '../network/cidr.js';
import {
  formatPortRange,
  isRangeCovered,
  type PortRange,
  parsePortRange,
} from '../network/ports.js';
import { firstThatFitsOf } from '../network/text.js';
import type { AccountView } from '../sources/view.js';
import { isInactiveEndpointState } from './endpoint-state.js';
import { type ChangeContext, defineRule } from './rule.js';

const RULE_ID = 'interface-endpoint-sg-restricted';

/** Endpoint types whose network interfaces carry security groups (VPC Lattice ones included). */
const GROUP_ENDPOINT_TYPES: ReadonlySet<string> = new Set([
  'Interface',
  'Resource',
  'ServiceNetwork',
]);

const ALL_PORTS: PortRange = { from: 0, to: 65535 };

interface Finding {
  /** `sg-… (name) tcp 443 from 0.0.0.0/0`. */
  where: string;
  reasons: string[];
  /** True when the only problem is that the VPC could not be read to compare the CIDR. */
  unverified?: boolean;
}

const isTcp = (protocol: string): boolean => protocol === 'tcp' || protocol === '6';

const portsOf = (rule: SecurityGroupRule): PortRange => {
  const from = rule.fromPort;
  const to = rule.toPort;
  if (from === undefined || to === undefined || from < 0 || to < 0) return ALL_PORTS;
  return { from, to };
};

const describeRule = (rule: SecurityGroupRule): string => {
  if (rule.protocol === '-1') return 'all traffic';
  // ICMP rules carry type and code in the port fields; ports mean nothing there.
  if (!isTcp(rule.protocol) && rule.protocol !== 'udp' && rule.protocol !== '17')
    return rule.protocol;
  const ports = rule.fromPort === undefined ? '' : ` ${formatPortRange(portsOf(rule))}`;
  return `${rule.protocol}${ports}`;
};

/** Problems of the rule itself, independent of where the traffic comes from. */
const ruleProblems = (rule: SecurityGroupRule, allowed: readonly PortRange[]): string[] => {
  if (rule.protocol === '-1') return ['all protocols and ports'];
  if (!isTcp(rule.protocol)) return [`protocol ${rule.protocol} is not TCP`];
  const ports = portsOf(rule);
  return isRangeCovered(ports, allowed)
    ? []
    : [`port(s) ${formatPortRange(ports)} beyond ${allowed.map(formatPortRange).join(',')}`];
};

type SourceCheck = { ok: true } | { ok: false; reason: string; unverified?: boolean };

const checkCidr = (
  cidr: string,
  version: 4 | 6,
  vpc: Vpc | undefined,
  vpcId: string,
): SourceCheck => {
  const parsed = parseCidr(cidr);
  if (!parsed || parsed.version !== version) return { ok: false, reason: 'not a valid CIDR' };
  if (isAnyAddress(cidr)) return { ok: false, reason: `any IPv${version} address` };
  if (!vpc) {
    return { ok: false, reason: `${vpcId} not found to compare its CIDR blocks`, unverified: true };
  }
  const blocks = version === 4 ? vpc.cidrBlocks : vpc.ipv6CidrBlocks;
  if (isCidrWithinAny(cidr, blocks)) return { ok: true };
  return {
    ok: false,
    reason:
      blocks.length > 0
        ? `outside ${vpc.id} (${blocks.join(', ')})`
        : `outside ${vpc.id}, which has no IPv${version} block`,
  };
};

/** What a group reference is judged against: the endpoint's VPC and account, known groups. */
interface RefContext {
  vpcId: string;
  accountId?: string | undefined;
  /** Referenced groups the view could read (to see which VPC they are in). */
  known: ReadonlyMap<string, SecurityGroup>;
}

/**
 * A reference admits the hosts that carry the group. Only a group in the same VPC keeps that inside
 * the VPC: a group in a peered VPC (the pair names the peering connection or the other VPC, as for
 * transit-gateway referencing) or of another account admits hosts outside it — unless the view
 * shows that group in this VPC (a participant's group in a shared VPC). A group the view does not
 * hold, on a pair that names no VPC, cannot be placed: could not verify, never taken as inside.
 */
const checkGroupRef = (
  ref: SecurityGroupRef,
  group: SecurityGroup,
  context: RefContext,
): SourceCheck => {
  const referencedVpc = ref.vpcId ?? context.known.get(ref.groupId)?.vpcId;
  const inThisVpc = referencedVpc === context.vpcId && !ref.vpcPeeringConnectionId;
  const owner = group.accountId ?? context.accountId;
  if (ref.userId && owner && ref.userId !== owner && !inThisVpc) {
    return { ok: false, reason: `security group of another account (${ref.userId})` };
  }
  if (ref.vpcPeeringConnectionId) {
    return {
      ok: false,
      reason: `security group in a peered VPC (${ref.vpcId ?? 'peer'} via ${ref.vpcPeeringConnectionId})`,
    };
  }
  if (referencedVpc === undefined) {
    return {
      ok: false,
      reason: `security group ${ref.groupId} not found, so the VPC of the hosts it admits cannot be checked`,
      unverified: true,
    };
  }
  if (referencedVpc !== context.vpcId) {
    return { ok: false, reason: `security group in another VPC (${referencedVpc})` };
  }
  return { ok: true };
};

const refLabel = (ref: SecurityGroupRef, group: SecurityGroup): string =>
  ref.userId && ref.userId !== group.accountId ? `${ref.userId}/${ref.groupId}` : ref.groupId;

const findingsOfGroup = (
  group: SecurityGroup,
  vpc: Vpc | undefined,
  refs: RefContext,
  allowedPorts: readonly PortRange[],
  allowedPrefixLists: ReadonlySet<string>,
): Finding[] => {
  const { vpcId } = refs;
  const findings: Finding[] = [];
  const groupLabel = group.groupName ? `${group.id} (${group.groupName})` : group.id;
  for (const rule of group.ingress) {
    const general = ruleProblems(rule, allowedPorts);
    const where = (source: string) => `${groupLabel} allows ${describeRule(rule)} from ${source}`;
    // Pushed in order rather than spread from four mapped arrays: this runs for every rule of
    // every group of every endpoint.
    const sources: [string, SourceCheck][] = [];
    for (const r of rule.ipv4Ranges) sources.push([r.cidr, checkCidr(r.cidr, 4, vpc, vpcId)]);
    for (const r of rule.ipv6Ranges) sources.push([r.cidr, checkCidr(r.cidr, 6, vpc, vpcId)]);
    for (const id of rule.prefixListIds) {
      sources.push([
        id,
        allowedPrefixLists.has(id)
          ? { ok: true }
          : { ok: false, reason: 'prefix list not in allowedPrefixListIds' },
      ]);
    }
    for (const ref of rule.groupRefs) {
      sources.push([refLabel(ref, group), checkGroupRef(ref, group, refs)]);
    }
    if (sources.length === 0 && general.length > 0) {
      findings.push({ where: where('(no source)'), reasons: general });
    }
    for (const [source, check] of sources) {
      const reasons = check.ok ? general : [...general, check.reason];
      if (reasons.length === 0) continue;
      const unverified = !check.ok && check.unverified === true && general.length === 0;
      findings.push({ where: where(source), reasons, unverified });
    }
  }
  return findings;
};

// The parameter schema has already rejected anything parsePortRange cannot read.
const parseAllowedPorts = (specs: readonly string[]): PortRange[] => {
  const ranges: PortRange[] = [];
  for (const spec of specs) {
    const range = parsePortRange(spec);
    if (range) ranges.push(range);
  }
  return ranges;
};

// The parameter list is one array for a whole scan: parsed once, not per endpoint.
const portsBySpecs = new WeakMap<readonly string[], PortRange[]>();
const allowedPortsOf = (specs: readonly string[]): PortRange[] => {
  let ports = portsBySpecs.get(specs);
  if (!ports) {
    ports = parseAllowedPorts(specs);
    portsBySpecs.set(specs, ports);
  }
  return ports;
};

/**
 * NOT_APPLICABLE for endpoints without security groups to check or without interfaces, and
 * NON_COMPLIANT for one that lists no group; `undefined` when the groups must be read.
 */
const earlyVerdict = (endpoint: VpcEndpoint): Verdict | undefined => {
  if (!GROUP_ENDPOINT_TYPES.has(endpoint.endpointType)) {
    return notApplicable(
      `${endpoint.id} is a ${endpoint.endpointType} endpoint; only Interface, Resource and ServiceNetwork endpoints have security groups to check.`,
    );
  }
  const state = endpoint.state.toLowerCase();
  if (isInactiveEndpointState(state)) {
    return notApplicable(`${endpoint.id} is ${state} and has no network interfaces.`);
  }
  if (endpoint.securityGroupIds.length === 0) {
    return nonCompliant(
      `${endpoint.id} lists no security group, so the ingress to its network interfaces cannot be checked.`,
    );
  }
  return undefined;
};

/** Referenced groups without a VPC on the pair: the group itself says which VPC it is in. */
const unknownReferences = (
  groups: readonly SecurityGroup[],
  byId: ReadonlyMap<string, SecurityGroup>,
): string[] => {
  // Loops, not flatMap (slow in V8): this runs for every endpoint.
  const ids = new Set<string>();
  for (const group of groups) {
    for (const rule of group.ingress) {
      for (const ref of rule.groupRefs) {
        if (!(ref.vpcId || ref.vpcPeeringConnectionId || byId.has(ref.groupId))) {
          ids.add(ref.groupId);
        }
      }
    }
  }
  return [...ids];
};

const judgeGroups = (
  endpoint: VpcEndpoint,
  params: { allowedPorts: string[]; allowedPrefixListIds: string[] },
  groups: readonly SecurityGroup[],
  byId: ReadonlyMap<string, SecurityGroup>,
  known: Map<string, SecurityGroup>,
  vpc: Vpc | undefined,
): Verdict => {
  // A Resource endpoint carries TCP to the port ranges of its resource configuration (a database
  // on 5432, say), which the endpoint item does not record: only the protocol and sources apply.
  const isResource = endpoint.endpointType === 'Resource';
  const allowedPorts = isResource ? [ALL_PORTS] : allowedPortsOf(params.allowedPorts);
  const refs: RefContext = {
    vpcId: endpoint.vpcId,
    accountId: endpoint.ownerId ?? endpoint.accountId,
    known,
  };
  const missing = endpoint.securityGroupIds.filter((id) => !byId.has(id));
  const prefixLists = new Set(params.allowedPrefixListIds);
  const findings: ReturnType<typeof findingsOfGroup> = [];
  for (const id of endpoint.securityGroupIds) {
    const group = byId.get(id);
    if (group) findings.push(...findingsOfGroup(group, vpc, refs, allowedPorts, prefixLists));
  }

  const violations = findings
    .filter((f) => !f.unverified)
    .map((f) => `${f.where} (${f.reasons.join('; ')})`);
  const unverified = findings.filter((f) => f.unverified).map((f) => f.where);
  const portsText = isResource
    ? `TCP (ports of resource configuration ${endpoint.serviceName.split('/').at(-1)})`
    : `TCP ${allowedPorts.map(formatPortRange).join(',')}`;
  const fix = `Fix: allow only ${portsText} from inside ${endpoint.vpcId}.`;
  if (violations.length > 0 || missing.length > 0) {
    const parts = [
      ...violations,
      ...(missing.length > 0
        ? [`security group ${missing.join(', ')} not found, so its ingress cannot be checked`]
        : []),
    ];
    const detail = `${endpoint.id}: ${[
      ...parts,
      ...(unverified.length > 0 ? [`also unverified: ${unverified.join(', ')}`] : []),
    ].join(
      '; ',
    )}. Allowed: ${portsText} from inside ${endpoint.vpcId} or from security groups in the same VPC.`;
    const more = parts.length > 1 ? ` (+${parts.length - 1} more)` : '';
    return {
      compliance: 'NON_COMPLIANT',
      annotation: firstThatFitsOf(
        () => `${endpoint.id}: ${parts.join('; ')}. ${fix}`,
        () => `${endpoint.id}: ${parts[0]}${more}. ${fix}`,
        () =>
          `${endpoint.id}: ${findings.find((f) => !f.unverified)?.where ?? parts[0]}${more}. ${fix}`,
        () =>
          `${endpoint.id}: a security group admits traffic beyond ${portsText} from ${endpoint.vpcId}${more}. ${fix}`,
      ),
      detail,
    };
  }
  if (unverified.length > 0) {
    return unverifiable(
      `${endpoint.vpcId} of ${endpoint.id} was not found, so CIDR sources cannot be compared with its blocks: ${unverified.join(', ')}.`,
    );
  }
  const ruleCount = groups.reduce((sum, group) => sum + group.ingress.length, 0);
  return compliant(
    ruleCount === 0
      ? `${endpoint.id}: no ingress rule in ${endpoint.securityGroupIds.join(', ')}; the endpoint accepts no traffic.`
      : `${endpoint.id}: ${endpoint.securityGroupIds.join(', ')} ${endpoint.securityGroupIds.length === 1 ? 'allows' : 'allow'} only ${portsText} from inside ${endpoint.vpcId} or from security groups (${ruleCount} ingress rule(s)).`,
  );
};

const interfaceEndpointSgRestricted = defineRule({
  id: RULE_ID,
  title: 'Security groups of Interface endpoints should allow only TCP 443 from inside the VPC',
  description:
    'Evaluates each Interface endpoint, and each Resource and ServiceNetwork (VPC Lattice) endpoint, and every ingress rule of its security groups. A rule passes when it is TCP on ports within allowedPorts (for a Resource endpoint, any port: its ports are the port ranges of its resource configuration, which the endpoint does not record) and its sources are CIDRs inside the VPC CIDR blocks (IPv4 or IPv6) or security groups in the same VPC (of the same account, or of a participant account when the VPC is shared and the view holds that group). 0.0.0.0/0, ::/0, CIDRs outside the VPC, security groups in another VPC (peering or transit-gateway references, whose pair names vpcId or vpcPeeringConnectionId) or of another account elsewhere, all-protocol rules, other protocols and port ranges wider than allowedPorts fail. Prefix-list sources fail unless listed in allowedPrefixListIds, because their entries are not recorded with the group and can change without the group changing. A group that cannot be found fails; a referenced group the view does not hold, on a pair that names no VPC, cannot be placed and is reported as could not verify. A change of the VPC CIDR blocks re-evaluates its endpoints. Gateway, Gateway Load Balancer and deleted endpoints are not applicable.',
  rationale:
    "The endpoint network interfaces accept any traffic their security groups allow. An open group lets hosts outside the VPC (peered networks, on-premises ranges, the internet through a misrouted path) use the VPC's endpoint and its credentials-free network position, and any non-HTTPS port widens the attack surface of the interfaces.",
  severity: 'high',
  resourceType: 'AWS::EC2::VPCEndpoint',
  triggerTypes: ['AWS::EC2::SecurityGroup', 'AWS::EC2::VPC'],
  frameworks: [
    { framework: 'PCI-DSS-4.0', id: '1.2.5', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.3.1', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.4.2', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.2.8', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '1.3.2', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '1.5.1', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '2.2.5', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: 'A1.1.3', strength: 'supporting' },
    { framework: 'HIPAA', id: '164.312(e)(1)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.312(a)(1)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.308(a)(4)(ii)(B)', strength: 'evidence' },
  ],
  parameters: {
    allowedPorts: {
      type: 'list',
      description: 'TCP ports (443) or port ranges (8000-8100) an endpoint group may open.',
      default: ['443'],
      pattern: /^\d{1,5}(?:-\d{1,5})?$/,
      validate: (item) =>
        parsePortRange(item) ? undefined : 'ports run from 0 to 65535 and ranges go low-high',
    },
    allowedPrefixListIds: {
      type: 'list',
      description:
        'Prefix lists accepted as ingress sources (their entries are trusted to be internal).',
      default: [],
      pattern: /^pl-[0-9a-f]+$/,
    },
  },
  remediation:
    'Give the endpoint a dedicated security group whose only ingress rule allows TCP 443 from the VPC CIDR blocks (or from the security groups of its clients), and remove all other ingress rules.',
  remediationExample:
    'aws ec2 create-security-group --group-name vpce-https --description "HTTPS to VPC endpoints" --vpc-id vpc-0123456789abcdef0\n' +
    'aws ec2 authorize-security-group-ingress --group-id sg-0123456789abcdef0 --protocol tcp --port 443 --cidr 10.0.0.0/16\n' +
    'aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-0123456789abcdef0 --add-security-group-ids sg-0123456789abcdef0 --remove-security-group-ids sg-0fedcba9876543210',
  iamActions: ['ec2:DescribeVpcEndpoints', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs'],
  async evaluate(endpoint, view, params) {
    const early = earlyVerdict(endpoint);
    if (early) return early;
    const [groups, vpc] = await Promise.all([
      view.securityGroups(endpoint.securityGroupIds),
      view.vpc(endpoint.vpcId),
    ]);
    const byId = new Map(groups.map((group) => [group.id, group]));
    const referenced = unknownReferences(groups, byId);
    const known = new Map(byId);
    if (referenced.length > 0) {
      for (const group of await view.securityGroups(referenced)) known.set(group.id, group);
    }
    return judgeGroups(endpoint, params, groups, byId, known, vpc);
  },
  evaluateSync(endpoint, reads, params) {
    const early = earlyVerdict(endpoint);
    if (early) return early;
    const groups = reads.securityGroups(endpoint.securityGroupIds);
    const vpc = reads.vpc(endpoint.vpcId);
    const byId = new Map(groups.map((group) => [group.id, group]));
    const referenced = unknownReferences(groups, byId);
    const known = new Map(byId);
    for (const group of reads.securityGroups(referenced)) known.set(group.id, group);
    return judgeGroups(endpoint, params, groups, byId, known, vpc);
  },
  async dependents(
    changed: Resource,
    view: AccountView,
    change?: ChangeContext,
  ): Promise<ResourceRef[]> {
    if (changed.type === 'AWS::EC2::VPC') {
      // A new secondary block or a disassociated one moves the line between inside and outside.
      const cidrsMayHaveChanged =
        change?.changedProperties === undefined ||
        change.changedProperties.some((path) => /cidr/i.test(path));
      if (!cidrsMayHaveChanged) return [];
      const endpoints = await view.endpointsOfVpc(changed.id);
      return endpoints
        .filter((e) => e.vpcId === changed.id && GROUP_ENDPOINT_TYPES.has(e.endpointType))
        .map((e): ResourceRef => ({ type: 'AWS::EC2::VPCEndpoint', id: e.id }));
    }
    if (changed.type === 'AWS::EC2::SecurityGroup') {
      const endpoints = await view.endpointsUsingSecurityGroup(changed.id);
      return endpoints.map((e): ResourceRef => ({ type: 'AWS::EC2::VPCEndpoint', id: e.id }));
    }
    if (changed.type === 'AWS::EC2::VPCEndpoint') return [{ type: changed.type, id: changed.id }];
    return [];
  },
});

export { interfaceEndpointSgRestricted };
