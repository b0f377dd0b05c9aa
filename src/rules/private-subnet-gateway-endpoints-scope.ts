import type { Verdict } from '../model/compliance.js';
import type { NatGateway, RouteTable, Subnet, VpcEndpoint } from '../model/resources.js';
import { explicitSubnetIds, isMainTable } from '../network/route-table.js';
import { pathOutcome } from '../network/service-path.js';
import type { TablePaths } from '../network/table-paths.js';
import { firstThatFits } from '../network/text.js';

/**
 * The scope of private-subnet-gateway-endpoints at its edges: a main table whose VPC's subnets the
 * source does not hold (AWS Config not recording AWS::EC2::Subnet), where which subnets it serves
 * cannot be told but neither can that it serves none; and a public table that still sends part of
 * a service's traffic through another hop.
 */

/** NOT_APPLICABLE for a table that serves no subnet, saying why. */
const servesNothing = (table: RouteTable, hasSubnets: boolean): Verdict => {
  const why = !isMainTable(table)
    ? ' and is not the main table'
    : hasSubnets
      ? ` and every subnet of ${table.vpcId} has its own route table`
      : ` and ${table.vpcId} has no subnets (where AWS Config does not record AWS::EC2::Subnet, record it, or the subnets this main table serves stay unknown)`;
  return {
    compliance: 'NOT_APPLICABLE',
    annotation: firstThatFits([
      `${table.id} serves no subnet: it has no explicit subnet association${why}.`,
      `${table.id} serves no subnet: it has no explicit subnet association.`,
    ]),
    detail: `${table.id} serves no subnet: it has no explicit subnet association${why}.`,
  };
};

const hasSubnetsOf = (table: RouteTable, subnets: readonly Subnet[]): boolean =>
  subnets.some((subnet) => subnet.vpcId === table.vpcId);

/** A main table that serves no subnet the view knows, in a VPC of which it holds no subnet. */
const mayServeUnrecorded = (
  table: RouteTable,
  main: boolean,
  served: readonly string[],
  subnets: readonly Subnet[],
): boolean => main && served.length === 0 && !hasSubnetsOf(table, subnets);

/** Route targets AWS accepts only in a subnet of the table's own VPC. */
const SUBNET_TARGETS: ReadonlySet<string> = new Set([
  'nat-gateway',
  'instance',
  'network-interface',
]);

/**
 * Why a main table's VPC must have subnets the view does not hold (AWS::EC2::Subnet not recorded):
 * another table of the VPC is associated with a subnet; the table routes to a NAT gateway, instance
 * or network interface; or an endpoint or NAT gateway of the VPC names its subnet. Each of these
 * sits in a subnet of the VPC. `undefined` when nothing shows that the VPC has subnets.
 */
const unrecordedSubnetsEvidence = (
  table: RouteTable,
  tables: readonly RouteTable[],
  endpoints: readonly VpcEndpoint[],
  natGateways: readonly NatGateway[],
): string | undefined => {
  for (const other of tables) {
    if (other.vpcId !== table.vpcId) continue;
    const subnetId = explicitSubnetIds(other)[0];
    if (subnetId) return `${other.id} is associated with ${subnetId}`;
  }
  const route = table.routes.find((candidate) => SUBNET_TARGETS.has(candidate.target.kind));
  if (route) return `${route.target.id}, a target of its routes, sits in one of them`;
  for (const endpoint of endpoints) {
    const [subnetId] = endpoint.subnetIds;
    if (endpoint.vpcId === table.vpcId && subnetId) return `${endpoint.id} sits in ${subnetId}`;
  }
  const nat = natGateways.find(
    (candidate) => candidate.vpcId === table.vpcId && candidate.subnetId,
  );
  return nat ? `${nat.id} sits in ${nat.subnetId}` : undefined;
};

/** Stands in for the main table's subnets when the source does not record them. */
const unrecordedSubnets = (table: RouteTable): string =>
  `of ${table.vpcId} left to the main table (not recorded)`;

/**
 * A verdict about a main table whose subnets are not recorded. AWS (DescribeRouteTables): "If a
 * subnet is not explicitly associated with any route table, it is implicitly associated with the
 * main route table. This command does not return the subnet ID for implicit associations." Which
 * subnets those are cannot be told, so a detour is "could not verify", never "serves no subnet".
 * COMPLIANT and NOT_APPLICABLE (public, no route out) hold for whichever subnets it serves.
 */
const withUnrecordedSubnets = (verdict: Verdict, table: RouteTable, evidence: string): Verdict => {
  if (verdict.compliance !== 'NON_COMPLIANT' || verdict.unverifiable) return verdict;
  const why = `${table.id} is the main table of ${table.vpcId}, whose subnets are not recorded (${evidence}): it routes every subnet without an explicit association`;
  return {
    ...verdict,
    unverifiable: true,
    annotation: firstThatFits([
      `Could not verify: ${why}. ${verdict.annotation}`,
      `Could not verify: ${verdict.annotation}`,
      verdict.annotation,
    ]),
    detail: `Could not verify: ${why}; record AWS::EC2::Subnet to name them. ${verdict.detail ?? verdict.annotation}`,
  };
};

/**
 * A public table (default routes to an internet gateway) is out of scope, but a more specific
 * route may still send part of a service's traffic through a NAT gateway, transit gateway, peering
 * connection, ... ("We use the most specific route that matches"): that part takes the very detour
 * the rule is about. The table is then judged by those legs alone (its internet legs stay out of
 * scope); a route whose reach into the service is unknown counts as may-be.
 */
const pastInternet = (analysis: TablePaths): TablePaths => {
  if (!analysis.isPublic) return analysis;
  let detour = false;
  const paths = analysis.paths.map((path) => {
    const legs = path.legs.filter((leg) => leg.hop?.hopClass !== 'internet-gateway');
    const outcome = pathOutcome({ ...path, legs });
    if (outcome === 'egress' || outcome === 'unverified') detour = true;
    return { ...path, legs, outcome };
  });
  return detour ? { ...analysis, isPublic: false, paths } : analysis;
};

export {
  hasSubnetsOf,
  mayServeUnrecorded,
  pastInternet,
  servesNothing,
  unrecordedSubnets,
  unrecordedSubnetsEvidence,
  withUnrecordedSubnets,
};
