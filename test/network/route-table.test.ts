import { describe, expect, it } from 'vitest';
import type { RouteTargetKind } from '../../src/model/resources.js';
import {
  classifyHop,
  defaultRouteOf,
  explicitSubnetIds,
  isMainTable,
  routeTableOfSubnet,
  subnetsServedBy,
} from '../../src/network/route-table.js';
import { explicit, localRoute, main, route, routeTable, subnet } from './model-builders.js';

describe('classifyHop', () => {
  it.each<[RouteTargetKind, string, string, string]>([
    ['internet-gateway', 'igw-1', 'internet-gateway', 'internet gateway igw-1'],
    ['nat-gateway', 'nat-1', 'nat-gateway', 'NAT gateway nat-1'],
    ['instance', 'i-1', 'nat-instance', 'NAT instance i-1'],
    ['network-interface', 'eni-1', 'nat-instance', 'NAT instance network interface eni-1'],
    ['transit-gateway', 'tgw-1', 'transit-gateway', 'transit gateway tgw-1'],
    ['vpc-peering', 'pcx-1', 'vpc-peering', 'VPC peering connection pcx-1'],
    [
      'virtual-private-gateway',
      'vgw-1',
      'virtual-private-gateway',
      'virtual private gateway vgw-1',
    ],
    ['vpc-endpoint', 'vpce-gwlb', 'other', 'VPC endpoint vpce-gwlb'],
    [
      'core-network',
      'arn:aws:networkmanager::1:core-network/c',
      'other',
      'Cloud WAN core network arn:aws:networkmanager::1:core-network/c',
    ],
    ['unknown', '', 'other', 'target'],
  ])('classifies a %s target', (kind, id, hopClass, label) => {
    // Act
    const hop = classifyHop({ kind, id });

    // Assess
    expect(hop.hopClass).toBe(hopClass);
    expect(hop.label).toBe(label);
  });
});

describe('defaultRouteOf', () => {
  it('returns the active 0.0.0.0/0 route and its hop', () => {
    // Prepare
    const table = routeTable(
      'rtb-1',
      'vpc-1',
      [localRoute('10.0.0.0/16'), route('0.0.0.0/0', 'nat-gateway', 'nat-1')],
      [main],
    );

    // Act
    const result = defaultRouteOf(table);

    // Assess
    expect(result.kind).toBe('active');
    expect(result.kind === 'active' && result.hop.hopClass).toBe('nat-gateway');
  });

  it('reports a blackhole default route as carrying nothing', () => {
    // Prepare
    const table = routeTable(
      'rtb-1',
      'vpc-1',
      [route('0.0.0.0/0', 'nat-gateway', 'nat-deleted', 'blackhole')],
      [main],
    );

    // Act
    const result = defaultRouteOf(table);

    // Assess
    expect(result).toEqual({ kind: 'blackhole', route: table.routes[0] });
  });

  it('prefers an active default route over a blackhole one', () => {
    // Prepare
    const table = routeTable(
      'rtb-1',
      'vpc-1',
      [
        route('0.0.0.0/0', 'instance', 'i-gone', 'blackhole'),
        route('0.0.0.0/0', 'transit-gateway', 'tgw-1'),
      ],
      [main],
    );

    // Act
    const result = defaultRouteOf(table);

    // Assess
    expect(result.kind === 'active' && result.hop.target.id).toBe('tgw-1');
  });

  it('treats broader routes that together cover 0.0.0.0/0 as the default route', () => {
    // Prepare: the VPN-style split default, one half through a NAT gateway.
    const table = routeTable(
      'rtb-1',
      'vpc-1',
      [
        localRoute('10.0.0.0/16'),
        route('0.0.0.0/1', 'nat-gateway', 'nat-1'),
        route('128.0.0.0/1', 'nat-gateway', 'nat-1'),
      ],
      [main],
    );

    // Act
    const result = defaultRouteOf(table);

    // Assess
    expect(result.kind).toBe('active');
    expect(result.kind === 'active' && result.hop.hopClass).toBe('nat-gateway');
    expect(result.kind === 'active' && result.route.destinationCidr).toBe('0.0.0.0/1');
  });

  it('judges a split default by its non-internet half when the halves differ', () => {
    const table = routeTable(
      'rtb-1',
      'vpc-1',
      [
        route('0.0.0.0/1', 'internet-gateway', 'igw-1'),
        route('128.0.0.0/1', 'transit-gateway', 'tgw-1'),
      ],
      [main],
    );

    const result = defaultRouteOf(table);

    expect(result.kind === 'active' && result.hop.target.id).toBe('tgw-1');
  });

  it('lets more specific routes that cover the whole space override the /0 route', () => {
    // Prepare: /0 still names the internet gateway, but both halves go through the NAT gateway.
    const table = routeTable(
      'rtb-1',
      'vpc-1',
      [
        route('0.0.0.0/0', 'internet-gateway', 'igw-1'),
        route('0.0.0.0/1', 'nat-gateway', 'nat-1'),
        route('128.0.0.0/1', 'nat-gateway', 'nat-1'),
      ],
      [main],
    );

    // Act
    const result = defaultRouteOf(table);

    // Assess
    expect(result.kind === 'active' && result.hop.hopClass).toBe('nat-gateway');
  });

  it('does not invent a default route from routes that leave a gap', () => {
    const table = routeTable(
      'rtb-1',
      'vpc-1',
      [route('0.0.0.0/1', 'nat-gateway', 'nat-1'), route('192.0.0.0/2', 'nat-gateway', 'nat-1')],
      [main],
    );

    expect(defaultRouteOf(table)).toEqual({ kind: 'none' });
  });

  it('does not count blackhole halves as a default route', () => {
    const table = routeTable(
      'rtb-1',
      'vpc-1',
      [
        route('0.0.0.0/1', 'nat-gateway', 'nat-1'),
        route('128.0.0.0/1', 'nat-gateway', 'nat-1', 'blackhole'),
      ],
      [main],
    );

    expect(defaultRouteOf(table)).toEqual({ kind: 'none' });
  });

  it('returns none when only specific routes exist', () => {
    // Prepare
    const table = routeTable(
      'rtb-1',
      'vpc-1',
      [localRoute('10.0.0.0/16'), route('192.168.0.0/16', 'vpc-peering', 'pcx-1')],
      [main],
    );

    // Act & Assess
    expect(defaultRouteOf(table)).toEqual({ kind: 'none' });
  });

  it('keeps the IPv4 and IPv6 default routes apart', () => {
    // Prepare
    const table = routeTable(
      'rtb-1',
      'vpc-1',
      [route('::/0', 'egress-only-internet-gateway', 'eigw-1')],
      [main],
    );

    // Act & Assess
    expect(defaultRouteOf(table).kind).toBe('none');
    expect(defaultRouteOf(table, 6).kind).toBe('active');
  });
});

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
