import { describe, expect, it } from 'vitest';
import {
  explicitSubnetIds,
  isMainTable,
  routeTableOfSubnet,
  subnetsServedBy,
} from '../../src/network/route-table.js';
import { explicit, main, routeTable, subnet } from './model-builders.js';

describe('subnetsServedBy', () => {
  const subnets = [
    subnet('subnet-a', 'vpc-1'),
    subnet('subnet-b', 'vpc-1'),
    subnet('subnet-c', 'vpc-1'),
    subnet('subnet-x', 'vpc-2'),
  ];

  it('returns the explicit associations of a non-main table', () => {
    // Prepare
    const table = routeTable('rtb-private', 'vpc-1', [], [explicit('subnet-a')]);

    // Act
    const served = subnetsServedBy(table, [table], subnets);

    // Assess
    expect(served).toEqual([{ subnetId: 'subnet-a', association: 'explicit' }]);
  });

  it('gives the main table the subnets of its VPC that no table associates explicitly', () => {
    // Prepare
    const mainTable = routeTable('rtb-main', 'vpc-1', [], [main, explicit('subnet-c')]);
    const other = routeTable('rtb-other', 'vpc-1', [], [explicit('subnet-a')]);

    // Act
    const served = subnetsServedBy(mainTable, [mainTable, other], subnets);

    // Assess
    expect(served).toEqual([
      { subnetId: 'subnet-c', association: 'explicit' },
      { subnetId: 'subnet-b', association: 'main' },
    ]);
  });

  it('ignores associations made by tables of another VPC', () => {
    // Prepare
    const mainTable = routeTable('rtb-main', 'vpc-1', [], [main]);
    const foreign = routeTable('rtb-foreign', 'vpc-2', [], [explicit('subnet-a')]);

    // Act
    const served = subnetsServedBy(mainTable, [foreign], subnets).map((s) => s.subnetId);

    // Assess
    expect(served).toEqual(['subnet-a', 'subnet-b', 'subnet-c']);
  });

  it('uses the evaluated table over a stale copy of it in the list', () => {
    // Prepare
    const stale = routeTable('rtb-main', 'vpc-1', [], [main, explicit('subnet-a')]);
    const fresh = routeTable('rtb-main', 'vpc-1', [], [main]);

    // Act
    const served = subnetsServedBy(fresh, [stale], subnets);

    // Assess
    expect(served.map((s) => s.association)).toEqual(['main', 'main', 'main']);
  });

  it('serves nothing when it is the main table and every subnet has its own table', () => {
    // Prepare
    const mainTable = routeTable('rtb-main', 'vpc-2', [], [main]);
    const other = routeTable('rtb-2', 'vpc-2', [], [explicit('subnet-x')]);

    // Act & Assess
    expect(subnetsServedBy(mainTable, [mainTable, other], subnets)).toEqual([]);
  });

  it('counts explicit associations of subnets the source did not record', () => {
    // Prepare
    const table = routeTable('rtb-1', 'vpc-1', [], [explicit('subnet-unrecorded')]);

    // Act & Assess
    expect(subnetsServedBy(table, [table], []).map((s) => s.subnetId)).toEqual([
      'subnet-unrecorded',
    ]);
  });
});

describe('routeTableOfSubnet', () => {
  const mainTable = routeTable('rtb-main', 'vpc-1', [], [main]);
  const explicitTable = routeTable('rtb-explicit', 'vpc-1', [], [explicit('subnet-a')]);
  const foreignMain = routeTable('rtb-foreign-main', 'vpc-2', [], [main]);

  it('returns the explicitly associated table first', () => {
    // Act & Assess
    expect(routeTableOfSubnet(subnet('subnet-a', 'vpc-1'), [mainTable, explicitTable])?.id).toBe(
      'rtb-explicit',
    );
  });

  it('falls back to the main table of the subnet own VPC only', () => {
    // Act & Assess
    expect(routeTableOfSubnet(subnet('subnet-b', 'vpc-1'), [foreignMain, mainTable])?.id).toBe(
      'rtb-main',
    );
    expect(
      routeTableOfSubnet(subnet('subnet-z', 'vpc-3'), [foreignMain, mainTable]),
    ).toBeUndefined();
  });
});

describe('isMainTable and explicitSubnetIds', () => {
  it('read the association list', () => {
    // Prepare
    const table = routeTable(
      'rtb-1',
      'vpc-1',
      [],
      [main, explicit('subnet-a'), { gatewayId: 'igw-1', main: false }],
    );

    // Act & Assess
    expect(isMainTable(table)).toBe(true);
    expect(explicitSubnetIds(table)).toEqual(['subnet-a']);
    expect(isMainTable(routeTable('rtb-2', 'vpc-1', [], [explicit('subnet-b')]))).toBe(false);
  });
});
