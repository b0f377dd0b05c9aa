import { describe, expect, it } from 'vitest';
import { endpointRoutesOf, gatewayEndpointReach } from '../../src/network/gateway-endpoints.js';
import { endpoint, localRoute, main, route, routeTable } from './model-builders.js';

const S3 = 'com.amazonaws.us-east-1.s3';

describe('gatewayEndpointReach', () => {
  const table = routeTable(
    'rtb-1',
    'vpc-1',
    [localRoute('10.0.0.0/16'), route('0.0.0.0/0', 'nat-gateway', 'nat-1')],
    [main],
  );

  it('finds an endpoint that lists the table in routeTableIds', () => {
    // Prepare
    const s3 = endpoint('vpce-s3', 'vpc-1', S3, { routeTableIds: ['rtb-1'] });

    // Act
    const reach = gatewayEndpointReach(table, 's3', [s3]);

    // Assess
    expect(reach).toEqual({ endpoint: s3, via: 'association' });
  });

  it('finds an endpoint through a pl- to vpce- route when routeTableIds is empty', () => {
    // Prepare
    const withRoute = {
      ...table,
      routes: [...table.routes, route('pl-63a5400a', 'vpc-endpoint', 'vpce-s3')],
    };
    const s3 = endpoint('vpce-s3', 'vpc-1', S3);

    // Act
    const reach = gatewayEndpointReach(withRoute, 's3', [s3]);

    // Assess
    expect(reach).toEqual({ endpoint: s3, via: 'prefix-list-route', prefixListId: 'pl-63a5400a' });
  });

  it('ignores a blackhole prefix-list route', () => {
    // Prepare
    const withRoute = {
      ...table,
      routes: [route('pl-63a5400a', 'vpc-endpoint', 'vpce-s3', 'blackhole')],
    };

    // Act & Assess
    expect(
      gatewayEndpointReach(withRoute, 's3', [endpoint('vpce-s3', 'vpc-1', S3)]),
    ).toBeUndefined();
    expect(endpointRoutesOf(withRoute)).toEqual([]);
  });

  it('does not count an endpoint of another VPC, even one that names the table', () => {
    // Prepare
    const foreign = endpoint('vpce-foreign', 'vpc-2', S3, { routeTableIds: ['rtb-1'] });
    const withRoute = { ...table, routes: [route('pl-63a5400a', 'vpc-endpoint', 'vpce-foreign')] };

    // Act & Assess
    expect(gatewayEndpointReach(withRoute, 's3', [foreign])).toBeUndefined();
  });

  it('does not count an Interface endpoint of the service', () => {
    // Prepare
    const iface = endpoint('vpce-if', 'vpc-1', S3, {
      endpointType: 'Interface',
      routeTableIds: ['rtb-1'],
    });

    // Act & Assess
    expect(gatewayEndpointReach(table, 's3', [iface])).toBeUndefined();
  });

  it.each([
    ['pending', true],
    ['Available', true],
    ['deleting', false],
    ['deleted', false],
    ['rejected', false],
  ])('counts an endpoint in state %s: %s', (state, counted) => {
    // Prepare
    const s3 = endpoint('vpce-s3', 'vpc-1', S3, { state, routeTableIds: ['rtb-1'] });

    // Act & Assess
    expect(gatewayEndpointReach(table, 's3', [s3]) !== undefined).toBe(counted);
  });

  it('matches the service by name, including cn. partition names', () => {
    // Prepare
    const dynamodb = endpoint('vpce-ddb', 'vpc-1', 'cn.com.amazonaws.cn-north-1.dynamodb', {
      routeTableIds: ['rtb-1'],
    });

    // Act & Assess
    expect(gatewayEndpointReach(table, 'dynamodb', [dynamodb])?.endpoint.id).toBe('vpce-ddb');
    expect(gatewayEndpointReach(table, 's3', [dynamodb])).toBeUndefined();
  });
});
