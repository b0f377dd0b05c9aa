import type { RouteTable, Subnet } from '../model/resources.js';

/**
 * Which subnets a route table serves (where their traffic goes is route-decision.ts and
 * service-path.ts). AWS resolves a subnet's table as its explicit association, else the main table of the
 * subnet's own VPC; tables of other VPCs never apply, whatever a snapshot happens to contain.
 */

interface ServedSubnet {
  subnetId: string;
  association: 'explicit' | 'main';
}

const isMainTable = (table: RouteTable): boolean => table.associations.some((a) => a.main);

const explicitSubnetIds = (table: RouteTable): string[] => {
  const ids: string[] = [];
  for (const association of table.associations) {
    if (!association.main && association.subnetId) ids.push(association.subnetId);
  }
  return ids;
};

/**
 * The subnets a table serves: its explicit associations, plus, for the main table, every subnet of
 * the same VPC that no table of that VPC associates explicitly. Explicit associations count even
 * when the subnet itself is not in `subnets` (not recorded).
 */
const subnetsServedBy = (
  table: RouteTable,
  tables: readonly RouteTable[],
  subnets: readonly Subnet[],
): ServedSubnet[] => {
  // Associations read in place (no id list per table): this runs for every table, and a main
  // table reads every table of its VPC.
  const served: ServedSubnet[] = [];
  let main = false;
  for (const association of table.associations) {
    if (association.main) main = true;
    else if (association.subnetId) {
      served.push({ subnetId: association.subnetId, association: 'explicit' });
    }
  }
  if (!main) return served;
  // The VPC's tables with `table` itself in its current form (the evaluated item may be newer
  // than what a view returns).
  const explicit = new Set<string>();
  for (const { subnetId } of served) explicit.add(subnetId);
  for (const other of tables) {
    if (other.vpcId !== table.vpcId || other.id === table.id) continue;
    for (const association of other.associations) {
      if (!association.main && association.subnetId) explicit.add(association.subnetId);
    }
  }
  for (const subnet of subnets) {
    if (subnet.vpcId === table.vpcId && !explicit.has(subnet.id)) {
      served.push({ subnetId: subnet.id, association: 'main' });
    }
  }
  return served;
};

/** The table that routes a subnet: its explicit association, else its own VPC's main table. */
const routeTableOfSubnet = (
  subnet: Subnet,
  tables: readonly RouteTable[],
): RouteTable | undefined => {
  const sameVpc = tables.filter((table) => table.vpcId === subnet.vpcId);
  return (
    sameVpc.find((table) => explicitSubnetIds(table).includes(subnet.id)) ??
    sameVpc.find(isMainTable)
  );
};

export type { ServedSubnet };
export { explicitSubnetIds, isMainTable, routeTableOfSubnet, subnetsServedBy };
