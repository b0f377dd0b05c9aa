import {
  bucket,
  DEFAULT_ENDPOINT_POLICY,
  endpoint,
  type Item,
  local,
  natGateway,
  ORG,
  policy,
  routeTable,
  sg,
  subnet,
  tlsDeny,
  vpc,
  vpceOnlyDeny,
} from './config-items.js';

interface SyntheticShape {
  vpcs: number;
  privateSubnetsPerVpc: number;
  buckets: number;
  /** Varies bucket names (and so policy texts) between runs, so no cache outlives one run. */
  runId?: number;
}

const hex = (n: number, width = 8) => n.toString(16).padStart(width, '0');

/**
 * A large, varied account for benchmarks: every VPC has a public table on an IGW, private tables on
 * a NAT gateway (every third without the S3 endpoint route), an interface endpoint behind a group
 * (every fourth open to the world), and buckets cycle through good and bad policies.
 */
const syntheticAccount = (
  shape: SyntheticShape,
): { fileVersion: string; configurationItems: Item[] } => {
  const items: Item[] = [];
  for (let v = 0; v < shape.vpcs; v++) {
    const vpcId = `vpc-${hex(v, 17)}`;
    const second = v % 250;
    const third = Math.floor(v / 250);
    const cidr = `10.${third}.${second}.0/24`;
    items.push(vpc(vpcId, `10.${third}.0.0/16`, `synthetic-${v}`));
    const publicSubnet = `subnet-${hex(v, 9)}ff`;
    items.push(subnet(publicSubnet, vpcId, cidr, 'us-east-1a', `public-${v}`, true));
    const nat = `nat-${hex(v, 17)}`;
    items.push(natGateway(nat, vpcId, publicSubnet));
    items.push(
      routeTable(
        `rtb-${hex(v, 9)}ff`,
        vpcId,
        `public-${v}`,
        [
          local(`10.${third}.0.0/16`),
          { destinationCidrBlock: '0.0.0.0/0', gatewayId: `igw-${hex(v, 17)}`, state: 'active' },
        ],
        [{ main: true }, { subnetId: publicSubnet }],
      ),
    );
    const s3Endpoint = `vpce-${hex(v, 9)}a3`;
    const withRoute: string[] = [];
    for (let s = 0; s < shape.privateSubnetsPerVpc; s++) {
      const subnetId = `subnet-${hex(v, 9)}${hex(s, 2)}`;
      const tableId = `rtb-${hex(v, 9)}${hex(s, 2)}`;
      items.push(
        subnet(
          subnetId,
          vpcId,
          `10.${third}.${second}.${16 + s}/28`,
          'us-east-1b',
          `private-${v}-${s}`,
          false,
        ),
      );
      if (s % 3 !== 2) withRoute.push(tableId);
      items.push(
        routeTable(
          tableId,
          vpcId,
          `private-${v}-${s}`,
          [
            local(`10.${third}.0.0/16`),
            { destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat, state: 'active' },
          ],
          [{ subnetId }],
        ),
      );
    }
    items.push(
      endpoint(s3Endpoint, vpcId, 's3', 'Gateway', {
        routeTableIds: withRoute,
        policy:
          v % 2 === 0
            ? DEFAULT_ENDPOINT_POLICY
            : policy([
                {
                  Effect: 'Allow',
                  Principal: '*',
                  Action: 's3:*',
                  Resource: '*',
                  Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
                },
              ]),
      }),
    );
    const groupId = `sg-${hex(v, 17)}`;
    items.push(
      sg(
        groupId,
        vpcId,
        `endpoints-${v}`,
        v % 4 === 0
          ? [{ protocol: '-1', cidrs: ['0.0.0.0/0'] }]
          : [{ protocol: 'tcp', from: 443, cidrs: [`10.${third}.0.0/16`] }],
      ),
    );
    items.push(
      endpoint(`vpce-${hex(v, 9)}b4`, vpcId, 'ssm', 'Interface', {
        subnetIds: [publicSubnet],
        groups: [groupId],
        privateDns: v % 5 !== 0,
      }),
    );
  }
  for (let b = 0; b < shape.buckets; b++) {
    const name = `synthetic-bucket-${shape.runId ?? 0}-${b}`;
    const vpce = `vpce-${hex(b % Math.max(1, shape.vpcs), 9)}a3`;
    const statements =
      b % 4 === 0
        ? null
        : b % 4 === 1
          ? [vpceOnlyDeny(name, [vpce]), tlsDeny(name)]
          : b % 4 === 2
            ? [tlsDeny(name)]
            : [{ ...vpceOnlyDeny(name, [vpce]), Resource: `arn:aws:s3:::${name}/*` }];
    items.push(bucket(name, statements ? policy(statements) : null));
  }
  return { fileVersion: '1.0', configurationItems: items };
};

export type { SyntheticShape };
export { syntheticAccount };
