import type { Verdict } from '../../src/model/compliance.js';
import type { PrefixList, Resource, Route } from '../../src/model/resources.js';
import { parseParams } from '../../src/rules/params.js';
import { privateSubnetGatewayEndpoints as rule } from '../../src/rules/private-subnet-gateway-endpoints.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import {
  explicit,
  localRoute,
  natGateway,
  routeTable,
  subnet,
  vpc,
} from '../network/model-builders.js';

/**
 * The account the route-table rule's tests judge: table rtb-1 of a dual-stack VPC, explicitly
 * associated with subnet-a, beside NAT gateway nat-1, and the AWS-managed S3 list of us-east-1.
 */

const S3 = 'com.amazonaws.us-east-1.s3';
const S3_LIST: PrefixList = {
  id: 'pl-63a5400a',
  name: S3,
  addressFamily: 'IPv4',
  ownerId: 'AWS',
  cidrs: ['52.216.0.0/15', '3.5.0.0/19', '54.231.0.0/16', '16.182.0.0/16'],
};

/** The rule's verdict on rtb-1 of `view`. */
const judgeTable = async (
  view: SnapshotView,
  params: Record<string, unknown> = {},
): Promise<Verdict> => {
  const table = await view.get('AWS::EC2::RouteTable', 'rtb-1');
  if (!table) throw new Error('test table missing');
  return rule.evaluate(table, view, parseParams(rule.id, rule.parameters, params));
};

interface Shape {
  /** Routes beside the two local ones (IPv4 and IPv6 VPC blocks). */
  routes: Route[];
  extra?: Resource[];
  lists?: PrefixList[];
  subnetExtra?: Parameters<typeof subnet>[2];
  params?: Record<string, unknown>;
}

/** The verdict on rtb-1 with these routes, beside these resources and known prefix lists. */
const judgeShape = ({ routes, extra = [], lists = [], subnetExtra, params }: Shape) =>
  judgeTable(
    SnapshotView.fromResources(
      [
        vpc('vpc-1', ['10.0.0.0/16'], { ipv6CidrBlocks: ['2600:1f18:1:100::/56'] }),
        subnet('subnet-a', 'vpc-1', { cidrBlock: '10.0.1.0/24', ...subnetExtra }),
        natGateway('nat-1', 'vpc-1'),
        routeTable(
          'rtb-1',
          'vpc-1',
          [localRoute('10.0.0.0/16'), localRoute('2600:1f18:1:100::/56'), ...routes],
          [explicit('subnet-a')],
          { region: 'us-east-1' },
        ),
        ...extra,
      ],
      lists,
    ),
    params,
  );

export type { Shape };
export { judgeShape, judgeTable, S3, S3_LIST };
