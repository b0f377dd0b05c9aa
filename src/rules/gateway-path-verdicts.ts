import type { Verdict } from '../model/compliance.js';
import type { PrefixList, RouteTable } from '../model/resources.js';
import {
  describePath,
  type FixContext,
  familyLabel,
  fixFor,
  hopsText,
  type JudgedPath,
  legsOf,
  routeText,
} from '../network/path-text.js';
import type { TablePaths } from '../network/table-paths.js';
import { firstThatFits, firstThatFitsOf, listSome } from '../network/text.js';

/**
 * The verdicts of private-subnet-gateway-endpoints from a table's analysed paths: the annotation
 * Config receives (written to fit 256 characters: table, hop, service, then the fix) and the full
 * detail for people.
 */

const COST_NOTE =
  'A NAT gateway bills every GB it processes (one public report: about $149k of NAT charges in a month for same-region S3 traffic); Gateway endpoints for S3 and DynamoDB cost nothing.';

interface Known {
  prefixLists: PrefixList[];
  /** Why prefix lists could not be read (denied), for the detail text. */
  prefixListProblem?: string | undefined;
}

/** The service prefix lists and the lists the table's routes name, as far as the view knows. */
interface Judgement {
  table: RouteTable;
  served: string[];
  analysis: TablePaths;
  fix: FixContext;
  known: Known;
  /** Every Gateway endpoint of the VPC (their routes do not leave the AWS network). */
  gatewayIds: ReadonlySet<string>;
  /** `NAT gateway nat-… (0.0.0.0/0)`: where the rest of the table's traffic goes. */
  defaultHop?: string | undefined;
}

const subnetText = (judgement: Judgement): string => `subnets ${listSome(judgement.served, 2)}`;

const detailOf = (judgement: Judgement, lead: string): string => {
  // Appended in place rather than spread, filtered and joined: every table gets a detail.
  let detail = lead;
  const add = (line: string) => {
    detail = detail === '' ? line : `${detail}\n${line}`;
  };
  add(`Serves ${listSome(judgement.served, 20)}.`);
  for (const path of judgement.analysis.paths) add(`${describePath(path)}.`);
  if (judgement.known.prefixListProblem) {
    add(`Prefix lists not read: ${judgement.known.prefixListProblem}.`);
  }
  return detail;
};

/** Could not verify: NON_COMPLIANT as Config reports it, with what is missing said in the detail. */
const couldNotVerify = (judgement: Judgement, annotation: string, lead: string): Verdict => ({
  compliance: 'NON_COMPLIANT',
  unverifiable: true,
  annotation,
  detail: detailOf(judgement, lead),
});

const pathName = (path: JudgedPath, families: number): string =>
  families > 1 ? `${path.service} ${familyLabel(path.version)}` : path.service;

const nonCompliantVerdict = (judgement: Judgement, bad: JudgedPath[]): Verdict => {
  const { table, analysis } = judgement;
  const families = analysis.families.length;
  const problems = bad.map((path) => {
    const egress = [...legsOf(path, 'egress'), ...legsOf(path, 'internet')];
    return {
      name: pathName(path, families),
      hops: hopsText(egress),
      fix: fixFor(path, egress, judgement.fix),
    };
  });
  const [first] = problems;
  if (!first) throw new TypeError('no failing path');
  const fixes = [...new Set(problems.map((problem) => problem.fix))];
  const causeOf = (shownHops: number) =>
    problems
      .map((problem) => `${problem.name} leaves through ${listSome(problem.hops, shownHops)}`)
      .join('; ');
  const more = problems.length > 1 ? ` (+${problems.length - 1} more)` : '';
  const annotation = firstThatFitsOf(
    () =>
      `${table.id}: ${causeOf(2)}, not a Gateway endpoint, for ${subnetText(judgement)}. Fix: ${fixes.join('; ')}.`,
    () => `${table.id}: ${causeOf(1)}, not a Gateway endpoint. Fix: ${fixes.join('; ')}.`,
    () =>
      `${table.id}: ${first.name} leaves through ${listSome(first.hops, 1)}${more}. Fix: ${first.fix}.`,
    () => `${table.id}: ${first.name} bypasses the endpoint${more}. Fix: ${first.fix}.`,
    // Hints in parentheses go last: the instruction itself must survive.
    () =>
      `${table.id}: ${first.name} bypasses the endpoint${more}. Fix: ${first.fix.split(' (')[0]}.`,
  );
  return {
    compliance: 'NON_COMPLIANT',
    annotation,
    detail: detailOf(
      judgement,
      `${table.id} sends ${problems.map((p) => `${p.name} through ${p.hops.join(', ')}`).join('; ')} instead of a Gateway endpoint: requests bypass the endpoint policy and every aws:SourceVpce condition. Fix: ${fixes.join('; ')}. ${COST_NOTE}`,
    ),
  };
};

const unverifiedVerdict = (judgement: Judgement, unsure: JudgedPath[]): Verdict => {
  const { table, analysis } = judgement;
  const first = unsure[0];
  const leg = first ? legsOf(first, 'unverified')[0] : undefined;
  if (!first || !leg) throw new TypeError('no unverified path');
  const name = pathName(first, analysis.families.length);
  const around = first.endpoint ? ` around ${first.endpoint.id}` : '';
  const list = first.endpoint
    ? `the entries of the ${first.service} prefix list`
    : `the addresses of ${first.service}`;
  const more = unsure.length > 1 ? ` (+${unsure.length - 1} more)` : '';
  const check = leg.route?.destinationPrefixListId
    ? `compare ${leg.destination} with ${list}`
    : `compare ${leg.destination} with ${list}, or scan live`;
  const annotation = firstThatFits([
    `Could not verify: ${table.id}: route ${routeText(leg)} may carry part of ${name}${around}; ${list} are not known${more}. Fix: ${check}.`,
    `Could not verify: ${table.id}: route ${routeText(leg)} may carry ${name}${around}${more}. Fix: ${check}.`,
  ]);
  return couldNotVerify(
    judgement,
    annotation,
    `${table.id}: ${unsure
      .flatMap((path) =>
        legsOf(path, 'unverified').map(
          (unverified) =>
            `route ${routeText(unverified)} (${unverified.hop?.label ?? 'unknown hop'}) may carry part of ${pathName(path, analysis.families.length)}`,
        ),
      )
      .join(
        '; ',
      )}. Without the service's prefix-list entries (AWS::EC2::PrefixList items, or a live scan that may call ec2:GetManagedPrefixListEntries) a route more specific than an entry cannot be ruled out.`,
  );
};

const compliantVerdict = (judgement: Judgement, good: JudgedPath[]): Verdict => {
  const { table, analysis } = judgement;
  const through = (withRoutes: boolean) => [
    ...new Set(
      good.map((path) => {
        const via = path.endpoint ?? path.interfaceEndpoint;
        const pl = path.legs.find((leg) => leg.kind === 'endpoint')?.route?.destinationPrefixListId;
        const route =
          withRoutes && pl?.startsWith('pl-') && !pl.includes(' ')
            ? ` (route ${pl} → ${via?.id})`
            : '';
        return `${pathName(path, analysis.families.length)} through ${via?.id ?? 'an endpoint'}${route}`;
      }),
    ),
  ];
  const rest = judgement.defaultHop ? `; default route via ${judgement.defaultHop}` : '';
  let shortText: string | undefined;
  const short = () => {
    shortText ??= through(false).join(', ');
    return shortText;
  };
  const annotation = firstThatFitsOf(
    () => `${table.id} sends ${through(true).join(', ')} for ${subnetText(judgement)}${rest}.`,
    () => `${table.id} sends ${short()} for ${subnetText(judgement)}${rest}.`,
    () => `${table.id} sends ${short()}${rest}.`,
    () => `${table.id} sends ${short()}.`,
    () => `${table.id} sends ${listSome(through(false), 2)}.`,
  );
  return { compliance: 'COMPLIANT', annotation, detail: detailOf(judgement, annotation) };
};

const notApplicableVerdict = (judgement: Judgement): Verdict => {
  const { table, analysis } = judgement;
  const internet = analysis.isPublic
    ? analysis.internetRoutes.map((route) => ({
        label: `internet gateway ${route.target.id}`,
        destination: route.destinationCidr ?? route.destinationIpv6Cidr ?? '',
      }))
    : [];
  const blackholes = table.routes
    .filter((route) => route.state === 'blackhole')
    .map(
      (route) =>
        `${route.destinationCidr ?? route.destinationIpv6Cidr ?? route.destinationPrefixListId} → ${route.target.id}`,
    );
  const services = [...new Set(analysis.paths.map((path) => path.service))].join(' or ');
  const [first] = internet;
  const otherFamily = otherFamilyRoutes(judgement);
  const [family] = analysis.families;
  const annotation = first
    ? `${table.id} is a public route table: ${services} traffic goes to ${first.label} (${first.destination}).`
    : otherFamily.length > 0 && family !== undefined
      ? firstThatFits([
          `${table.id} has no ${familyLabel(family)} route out of the VPC for ${services}: ${subnetText(judgement)} are ${familyLabel(family)}-only, and ${listSome(otherFamily, 2)} carries ${familyLabel(family === 4 ? 6 : 4)} only.`,
          `${table.id} has no ${familyLabel(family)} route out of the VPC for ${services}: its subnets are ${familyLabel(family)}-only.`,
        ])
      : firstThatFits([
          `${table.id} has no route out of the VPC for ${services} (no default route (0.0.0.0/0 or ::/0) or other route to their addresses)${blackholes.length > 0 ? `; blackhole routes carry nothing: ${listSome(blackholes, 2)}` : ''}.`,
          `${table.id} has no route out of the VPC for ${services}${blackholes.length > 0 ? ' (its blackhole routes carry nothing)' : ''}.`,
        ]);
  return { compliance: 'NOT_APPLICABLE', annotation, detail: detailOf(judgement, annotation) };
};

/**
 * Routes out of the VPC of the family the served subnets do not use (`0.0.0.0/0 → nat-…` under
 * IPv6-only subnets): they explain why a table with a route out has none for its subnets.
 */
const otherFamilyRoutes = ({ table, analysis, gatewayIds }: Judgement): string[] => {
  if (analysis.families.length !== 1) return [];
  const unused = analysis.families[0] === 4 ? 'destinationIpv6Cidr' : 'destinationCidr';
  // A loop, not flatMap (slow in V8): this runs for every single-family table.
  const routes: string[] = [];
  for (const route of table.routes) {
    const destination = route[unused];
    if (
      route.state === 'active' &&
      destination !== undefined &&
      route.target.kind !== 'local' &&
      !gatewayIds.has(route.target.id)
    ) {
      routes.push(`${destination} → ${route.target.id}`);
    }
  }
  return routes;
};

/**
 * Whether anything can leave through the table other than through a Gateway endpoint. An isolated
 * subnet has no detour to close, whatever endpoints it has.
 */
const leavesTheVpc = ({ table, gatewayIds }: Judgement): boolean =>
  table.routes.some(
    (route) =>
      route.state === 'active' && route.target.kind !== 'local' && !gatewayIds.has(route.target.id),
  );

/**
 * A table that would be public (its default routes go to an internet gateway) but for prefix-list
 * routes whose entries are unknown: one broad entry would take the default traffic elsewhere, so
 * neither "public" nor any path verdict can be given.
 */
const publicUnverifiedVerdict = (judgement: Judgement): Verdict => {
  const { table, analysis } = judgement;
  const lists = analysis.publicUnverified.map(
    (route) => `${route.destinationPrefixListId ?? ''} → ${route.target.id || route.target.kind}`,
  );
  const [first] = analysis.internetRoutes;
  const internet = first
    ? `${first.destinationCidr ?? first.destinationIpv6Cidr ?? ''} → ${first.target.id}`
    : 'the internet gateway';
  const ids = analysis.publicUnverified.map((route) => route.destinationPrefixListId ?? '');
  const fix = `check the entries of ${listSome(ids, 2)} (AWS::EC2::PrefixList items, or scan live)`;
  const annotation = firstThatFits([
    `Could not verify: ${table.id}: route ${listSome(lists, 2)} may take the traffic ${internet} sends to the internet (a public table) for ${subnetText(judgement)}; its entries are not known. Fix: ${fix}.`,
    `Could not verify: ${table.id}: route ${listSome(lists, 1)} may outrank ${internet}; its entries are not known. Fix: ${fix}.`,
    `Could not verify: ${table.id}: route ${lists[0]} may outrank ${internet}${lists.length > 1 ? ` (+${lists.length - 1} more)` : ''}; entries not known. Fix: check the entries of ${ids[0]}, or scan live.`,
  ]);
  return couldNotVerify(
    judgement,
    annotation,
    `${table.id} would be a public route table (${internet}), but route ${lists.join(', ')} names a prefix list whose entries are not known: an entry broader than a service range (0.0.0.0/1, say) outranks the default route and sends the traffic there instead. Without the entries (AWS::EC2::PrefixList items, or a live scan that may call ec2:GetManagedPrefixListEntries) the table can be judged neither public nor private.`,
  );
};

const judge = (judgement: Judgement): Verdict => {
  const { paths, isPublic } = judgement.analysis;
  if (isPublic || !leavesTheVpc(judgement)) return notApplicableVerdict(judgement);
  if (judgement.analysis.publicUnverified.length > 0) return publicUnverifiedVerdict(judgement);
  const bad = paths.filter((path) => path.outcome === 'egress');
  if (bad.length > 0) return nonCompliantVerdict(judgement, bad);
  const unsure = paths.filter((path) => path.outcome === 'unverified');
  if (unsure.length > 0) return unverifiedVerdict(judgement, unsure);
  const good = paths.filter((path) => path.outcome === 'endpoint');
  if (good.length > 0) return compliantVerdict(judgement, good);
  return notApplicableVerdict(judgement);
};

export type { Judgement, Known };
export { judge };
