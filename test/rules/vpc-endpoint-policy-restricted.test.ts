import { describe, expect, it } from 'vitest';
import type { PolicySource, VpcEndpoint } from '../../src/model/resources.js';
import { parsePolicy } from '../../src/policy/document.js';
import { analysePerimeter, trustOf } from '../../src/policy/perimeter.js';
import { parseParams } from '../../src/rules/params.js';
import {
  actionPrefixOf,
  vpcEndpointPolicyRestricted as rule,
} from '../../src/rules/vpc-endpoint-policy-restricted.js';
import { SnapshotView } from '../../src/sources/snapshot.js';

const ORG = 'o-a1b2c3d4e5';
const ACCOUNT = '111122223333';

const endpointWith = (policy: PolicySource, extra: Partial<VpcEndpoint> = {}): VpcEndpoint => ({
  type: 'AWS::EC2::VPCEndpoint',
  id: 'vpce-0a1b2c3d4e5f67890',
  tags: {},
  vpcId: 'vpc-0f1e2d3c4b5a69788',
  serviceName: 'com.amazonaws.eu-west-1.s3',
  endpointType: 'Gateway',
  state: 'available',
  policy,
  routeTableIds: ['rtb-0a9b8c7d6e5f40312'],
  subnetIds: [],
  securityGroupIds: [],
  privateDnsEnabled: false,
  ...extra,
});

const present = (statements: unknown[]): PolicySource => ({
  kind: 'present',
  text: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
});

const evaluate = (endpoint: VpcEndpoint, raw: Record<string, unknown> = {}) =>
  rule.evaluate(
    endpoint,
    SnapshotView.fromResources([endpoint]),
    parseParams(rule.id, rule.parameters, raw),
  );

const allowAll = { Sid: 'AllowAll', Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' };

describe('vpc-endpoint-policy-restricted', () => {
  describe('metadata', () => {
    it('needs only the two endpoint reads and carries a valid example', () => {
      // Assess
      expect(rule.title).toMatch(/^VPC endpoints should /);
      expect(rule.iamActions).toEqual([
        'ec2:DescribeVpcEndpoints',
        'ec2:DescribeVpcEndpointServices',
      ]);
      expect(() => parsePolicy(rule.remediationExample)).not.toThrow();
    });
  });

  describe('actionPrefixOf', () => {
    it.each([
      ['com.amazonaws.eu-west-1.s3', 's3'],
      ['com.amazonaws.us-gov-west-1.dynamodb', 'dynamodb'],
      ['com.amazonaws.eu-west-1.ecr.dkr', 'ecr'],
      ['com.amazonaws.eu-west-1.monitoring', 'cloudwatch'],
      ['com.amazonaws.eu-west-1.kms-fips', 'kms'],
      // Service Authorization Reference prefixes of endpoints named otherwise.
      ['com.amazonaws.eu-west-1.kinesis-streams', 'kinesis'],
      ['com.amazonaws.us-east-1.kinesis-streams-fips', 'kinesis'],
      ['com.amazonaws.eu-west-1.kinesis-firehose', 'firehose'],
      ['com.amazonaws.eu-west-1.ecs-agent', 'ecs'],
      ['com.amazonaws.eu-west-1.ecs-telemetry', 'ecs'],
      ['com.amazonaws.eu-west-1.bedrock-runtime', 'bedrock'],
      ['com.amazonaws.eu-west-1.cloudcontrolapi', 'cloudformation'],
      ['com.amazonaws.eu-west-1.constructor', 'constructor'],
      ['com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0', undefined],
      ['cn.com.amazonaws.cn-north-1.s3', 's3'],
    ])('maps %s to %s', (serviceName, prefix) => {
      // Act & Assess
      expect(actionPrefixOf(serviceName)).toBe(prefix);
    });
  });

  describe('evaluate', () => {
    it.each([
      ['StringEquals', {}, 'COMPLIANT'],
      ['StringEquals', { trustedAccountIds: ACCOUNT }, 'COMPLIANT'],
      ['StringEquals', { trustedAccountIds: '444455556666' }, 'NON_COMPLIANT'],
      ['StringEqualsIfExists', {}, 'NON_COMPLIANT'],
    ])(
      'bounds S3 requests by s3:ResourceAccount (%s, params %j) as by aws:ResourceAccount: %s',
      async (operator, params, expected) => {
        // Prepare: AWS introduced s3:ResourceAccount for "IAM or Virtual Private Cloud Endpoint
        // (VPCE) policies to restrict user or application access to S3 buckets that are owned by
        // specified AWS Accounts"; IfExists lets requests without the key through.
        const endpoint = endpointWith(
          present([
            {
              Effect: 'Allow',
              Principal: '*',
              Action: 's3:*',
              Resource: '*',
              Condition: { [operator]: { 's3:ResourceAccount': ACCOUNT } },
            },
          ]),
        );

        // Act
        const verdict = await evaluate(endpoint, params);

        // Assess
        expect(verdict.compliance).toBe(expected);
      },
    );

    it.each([
      ['ingest.timestream', ['timestream:WriteRecords', 'timestream:DescribeEndpoints'], '*'],
      ['example-data', ['example:*'], '*'],
    ])(
      'returns NON_COMPLIANT when an Allow on a %s endpoint grants actions under another prefix (%s) on Resource %s',
      async (service, actions, resource) => {
        // Prepare: vpce-guard cannot tell from the name alone which IAM prefix the endpoint
        // serves; what the policy grants under another prefix may be exactly what it carries.
        const endpoint = endpointWith(
          present([{ Effect: 'Allow', Principal: '*', Action: actions, Resource: resource }]),
          { serviceName: `com.amazonaws.eu-west-1.${service}`, endpointType: 'Interface' },
        );

        // Act
        const verdict = await evaluate(endpoint);

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
      },
    );

    it('returns COMPLIANT for a DynamoDB policy that also grants S3 actions, which a DynamoDB endpoint never carries', async () => {
      // Prepare: one policy shared by the S3 and DynamoDB gateway endpoints; the dynamodb prefix
      // is documented, so the s3: grant is no request of this endpoint.
      const endpoint = endpointWith(
        present([
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::prod-repo-*/*',
          },
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 'dynamodb:*',
            Resource: `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/*`,
          },
        ]),
        { serviceName: 'com.amazonaws.eu-west-1.dynamodb' },
      );

      // Act
      const verdict = await evaluate(endpoint);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });

    it('returns COMPLIANT when those actions are bounded to the named account', async () => {
      // Prepare
      const endpoint = endpointWith(
        present([
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 'example:*',
            Resource: `arn:aws:example:eu-west-1:${ACCOUNT}:*`,
          },
        ]),
        { serviceName: 'com.amazonaws.eu-west-1.example-data', endpointType: 'Interface' },
      );

      // Act
      const verdict = await evaluate(endpoint);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });

    it.each([
      ['kinesis-streams', 'kinesis:*'],
      ['kinesis-firehose', 'firehose:PutRecord*'],
      ['ecs-agent', 'ecs:*'],
      ['bedrock-runtime', 'bedrock:InvokeModel'],
    ])(
      'returns NON_COMPLIANT for an Allow of every %s action (%s) on Resource *, not "allows nothing"',
      async (service, action) => {
        // Prepare: the endpoint's name is not its IAM action prefix; read as one, the Allow
        // matched no action of the request space and the policy passed as allowing nothing.
        const endpoint = endpointWith(
          present([{ Effect: 'Allow', Principal: '*', Action: action, Resource: '*' }]),
          { serviceName: `com.amazonaws.eu-west-1.${service}`, endpointType: 'Interface' },
        );

        // Act
        const verdict = await evaluate(endpoint);

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
      },
    );

    it('reads the policy through the view when the configuration item leaves it out', async () => {
      // Prepare: the event's copy has no policy; EC2 (the view) names a restricted one.
      const recorded = endpointWith({ kind: 'absent' });
      const live = endpointWith(
        present([
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::acme-artifacts/*',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
          },
        ]),
      );

      // Act
      const fromView = await rule.evaluate(
        recorded,
        SnapshotView.fromResources([live]),
        parseParams(rule.id, rule.parameters, {}),
      );
      const nowhere = await evaluate(recorded);

      // Assess
      expect(fromView.compliance).toBe('COMPLIANT');
      expect(nowhere.compliance).toBe('NON_COMPLIANT');
      expect(nowhere.annotation).toContain('has no endpoint policy, so it allows full access');
    });

    it('returns NON_COMPLIANT for the default policy with NotAction outside the service', async () => {
      // Prepare
      const endpoint = endpointWith(
        present([{ Effect: 'Allow', Principal: '*', NotAction: 'ec2:*', Resource: '*' }]),
      );

      // Act
      const verdict = await evaluate(endpoint);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.counterexample?.action).toMatch(/^s3:/);
    });

    it('returns COMPLIANT for an Allow limited by a condition when no trusted lists are set', async () => {
      // Prepare
      const endpoint = endpointWith(
        present([
          { ...allowAll, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-zz9yy8xx7w' } } },
        ]),
      );

      // Act
      const verdict = await evaluate(endpoint);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });

    it('does not accept a negated org condition as a limit on an Allow', async () => {
      // Prepare
      const endpoint = endpointWith(
        present([{ ...allowAll, Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORG } } }]),
      );

      // Act
      const verdict = await evaluate(endpoint, { trustedOrgIds: ORG });

      // Assess: allowing everyone outside the org is the full-access default in disguise.
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('statement "AllowAll"');
      expect(verdict.counterexample).toBeDefined();
    });

    describe('effective full access', () => {
      it.each<[string, string, unknown]>([
        ['com.amazonaws.eu-west-1.s3', 's3:*', ['arn:aws:s3:::*', 'arn:aws:s3:::*/*']],
        ['com.amazonaws.eu-west-1.s3', 's3:*', 'arn:aws:s3:::*'],
        ['com.amazonaws.eu-west-1.dynamodb', 'dynamodb:*', 'arn:aws:dynamodb:*:*:table/*'],
        ['com.amazonaws.eu-west-1.dynamodb', 'dynamodb:*', 'arn:aws:dynamodb:*:*:*'],
        ['cn.com.amazonaws.cn-north-1.s3', 's3:*', 'arn:aws-cn:s3:::*'],
      ])(
        'returns NON_COMPLIANT for %s allowing %s on %j',
        async (serviceName, action, resource) => {
          // Prepare
          const endpoint = endpointWith(
            present([{ ...allowAll, Action: action, Resource: resource }]),
            { serviceName },
          );

          // Act
          const verdict = await evaluate(endpoint);

          // Assess
          expect(verdict.compliance).toBe('NON_COMPLIANT');
          expect(verdict.annotation).toContain('bounded neither by principal nor by resource');
          expect(verdict.counterexample?.resource).toBeDefined();
        },
      );

      it('returns COMPLIANT when the resources are buckets named in full', async () => {
        // Prepare
        const endpoint = endpointWith(
          present([
            {
              ...allowAll,
              Action: 's3:*',
              Resource: ['arn:aws:s3:::acme-data', 'arn:aws:s3:::acme-data/*'],
            },
          ]),
        );

        // Act
        const verdict = await evaluate(endpoint);

        // Assess
        expect(verdict.compliance).toBe('COMPLIANT');
      });

      it.each(['arn:aws:s3:::acme-*', 'arn:aws:s3:::corp-*/*', 'arn:aws:s3:::example?ucket/*'])(
        'returns NON_COMPLIANT for buckets matched by the pattern %s, which anyone can create',
        async (resource) => {
          // Prepare
          const endpoint = endpointWith(
            present([{ ...allowAll, Action: 's3:*', Resource: resource }]),
          );

          // Act
          const verdict = await evaluate(endpoint);

          // Assess
          expect(verdict.compliance).toBe('NON_COMPLIANT');
        },
      );

      it.each([
        ['arn:aws:s3:*:*:accesspoint/*', 'arn:aws:s3:*:*:accesspoint/*/object/*'],
        ['arn:aws:s3::*:accesspoint/*'],
        ['arn:aws:s3:eu-west-1:*:accesspoint/data/object/*'],
      ])(
        'returns NON_COMPLIANT for access points of any account (%s), which name no bucket',
        async (...resources) => {
          // Prepare
          const endpoint = endpointWith(
            present([{ ...allowAll, Action: 's3:*', Resource: resources }]),
          );

          // Act
          const verdict = await evaluate(endpoint);

          // Assess
          expect(verdict.compliance).toBe('NON_COMPLIANT');
          expect(verdict.counterexample?.resource).toMatch(/accesspoint/);
        },
      );

      it('returns NON_COMPLIANT when an Allow repeats a Condition operator, which AWS documents no reading of', async () => {
        // Prepare: JSON.parse keeps only the second limit, on the resource account.
        const endpoint = endpointWith({
          kind: 'present',
          text: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"${ORG}"},"StringEquals":{"aws:ResourceAccount":"${ACCOUNT}"}}}]}`,
        });

        // Act
        const verdict = await evaluate(endpoint);

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        expect(verdict.annotation).toContain('"StringEquals" twice');
      });

      it('returns NON_COMPLIANT when the allowed action patterns are too many to tell apart', async () => {
        // Prepare: the actions these patterns allow must not vanish when the class search stops.
        const tail = '?'.repeat(10);
        const endpoint = endpointWith(
          present([
            { ...allowAll, Action: [`dynamodb:*a${tail}`, `dynamodb:*b${tail}`], Resource: '*' },
          ]),
          { serviceName: 'com.amazonaws.eu-west-1.dynamodb' },
        );

        // Act
        const verdict = await evaluate(endpoint);

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        expect(verdict.detail).toContain('Action patterns of the policy are too many');
      });

      it('returns COMPLIANT for access points of a named account', async () => {
        // Prepare
        const endpoint = endpointWith(
          present([
            {
              ...allowAll,
              Action: 's3:*',
              Resource: [
                `arn:aws:s3:eu-west-1:${ACCOUNT}:accesspoint/*`,
                `arn:aws:s3:eu-west-1:${ACCOUNT}:accesspoint/*/object/*`,
              ],
            },
          ]),
        );

        // Act
        const verdict = await evaluate(endpoint);

        // Assess
        expect(verdict.compliance).toBe('COMPLIANT');
      });

      it.each<[string, Record<string, string>]>([
        ['StringLike', { 'aws:PrincipalArn': '*' }],
        ['StringLike', { 'aws:PrincipalOrgID': '*' }],
        ['StringNotEquals', { 'aws:PrincipalAccount': ACCOUNT }],
        ['StringLike', { 'aws:ResourceAccount': '*' }],
      ])(
        'returns NON_COMPLIANT for an Allow conditioned only by %s %j, which every outsider meets',
        async (op, block) => {
          // Prepare
          const endpoint = endpointWith(present([{ ...allowAll, Condition: { [op]: block } }]));

          // Act
          const verdict = await evaluate(endpoint);

          // Assess
          expect(verdict.compliance).toBe('NON_COMPLIANT');
          expect(verdict.counterexample).toBeDefined();
        },
      );

      it('does not count a Deny StringNotLike aws:PrincipalOrgID "*" as a trust fence', async () => {
        // Prepare
        const endpoint = endpointWith(
          present([
            allowAll,
            {
              Effect: 'Deny',
              Principal: '*',
              Action: '*',
              Resource: '*',
              Condition: { StringNotLike: { 'aws:PrincipalOrgID': '*' } },
            },
          ]),
        );

        // Act
        const verdict = await evaluate(endpoint);

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        expect(verdict.annotation).toContain('bounded neither by principal nor by resource');
      });

      it('still counts a Deny outside the trusted organisation as a trust fence', async () => {
        // Prepare
        const endpoint = endpointWith(
          present([
            allowAll,
            {
              Effect: 'Deny',
              Principal: '*',
              Action: '*',
              Resource: '*',
              Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORG } },
            },
          ]),
        );

        // Act
        const verdict = await evaluate(endpoint, { trustedOrgIds: ORG });

        // Assess
        expect(verdict.compliance).toBe('COMPLIANT');
      });
    });

    it.each<[string, Record<string, unknown>, string]>([
      [
        'outside the organization it names',
        { StringNotEquals: { 'aws:PrincipalOrgID': ORG } },
        'COMPLIANT',
      ],
      [
        'outside the account it names, by principal or resource',
        { StringNotEquals: { 'aws:PrincipalAccount': ACCOUNT, 'aws:ResourceAccount': ACCOUNT } },
        'COMPLIANT',
      ],
      [
        'of the one organization it names',
        { StringEquals: { 'aws:PrincipalOrgID': ORG } },
        'NON_COMPLIANT',
      ],
    ])(
      'judges full access with a Deny of everything %s, without trusted lists',
      async (_label, condition, expected) => {
        // Prepare
        const endpoint = endpointWith(
          present([
            allowAll,
            { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: condition },
          ]),
        );

        // Act
        const verdict = await evaluate(endpoint);

        // Assess
        expect(verdict.compliance, verdict.annotation).toBe(expected);
      },
    );

    it('accepts aws:PrincipalAccount and aws:ResourceAccount limits from trustedAccountIds', async () => {
      // Prepare
      const endpoint = endpointWith(
        present([
          {
            ...allowAll,
            Sid: 'OwnPrincipals',
            Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } },
          },
          {
            ...allowAll,
            Sid: 'OwnBuckets',
            Condition: { StringEquals: { 'aws:ResourceAccount': [ACCOUNT] } },
          },
        ]),
      );

      // Act
      const verdict = await evaluate(endpoint, { trustedAccountIds: ACCOUNT });

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });

    it('rejects a wildcard account value', async () => {
      // Prepare
      const endpoint = endpointWith(
        present([{ ...allowAll, Condition: { StringLike: { 'aws:ResourceAccount': '1111*' } } }]),
      );

      // Act
      const verdict = await evaluate(endpoint, { trustedAccountIds: ACCOUNT });

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.counterexample?.context['aws:PrincipalAccount']).not.toBe('111122223333');
    });

    it('rejects an Allow for principals of an untrusted account', async () => {
      // Prepare
      const endpoint = endpointWith(
        present([
          { ...allowAll, Sid: 'Partner', Principal: { AWS: 'arn:aws:iam::444455556666:root' } },
        ]),
      );

      // Act
      const verdict = await evaluate(endpoint, { trustedAccountIds: ACCOUNT });

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('statement "Partner"');
    });

    it('adds the DynamoDB note for DynamoDB endpoints without a policy', async () => {
      // Prepare
      const endpoint = endpointWith(
        { kind: 'absent' },
        { serviceName: 'com.amazonaws.eu-west-1.dynamodb' },
      );

      // Act
      const verdict = await evaluate(endpoint);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      // DynamoDB tables have resource-based policies, but other accounts' tables answer to theirs.
      expect(verdict.detail).toContain(
        "Tables in other accounts answer to their owners' resource policies",
      );
    });

    it('returns an unverifiable NON_COMPLIANT when the policy could not be read', async () => {
      // Prepare
      const endpoint = endpointWith({ kind: 'unreadable', reason: 'UnauthorizedOperation' });

      // Act
      const verdict = await evaluate(endpoint);

      // Assess
      expect(verdict.unverifiable).toBe(true);
      expect(verdict.annotation).toMatch(/^Could not verify/);
    });

    it.each(['deleting', 'rejected', 'failed', 'Deleted'])(
      'returns NOT_APPLICABLE for an endpoint in state %s',
      async (state) => {
        // Prepare
        const endpoint = endpointWith(present([allowAll]), { state });

        // Act
        const verdict = await evaluate(endpoint);

        // Assess
        expect(verdict.compliance).toBe('NOT_APPLICABLE');
      },
    );

    it('returns NOT_APPLICABLE for Resource and ServiceNetwork endpoints', async () => {
      // Act
      const resource = await evaluate(
        endpointWith({ kind: 'absent' }, { endpointType: 'Resource' }),
      );
      const network = await evaluate(
        endpointWith({ kind: 'absent' }, { endpointType: 'ServiceNetwork' }),
      );

      // Assess
      expect(resource.compliance).toBe('NOT_APPLICABLE');
      expect(network.compliance).toBe('NOT_APPLICABLE');
    });
  });
});

describe('vpc-endpoint-policy-restricted: endpoints of one policy template', () => {
  it.each([
    ['full access', [allowAll]],
    [
      'one organization',
      [{ ...allowAll, Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } }],
    ],
    [
      'objects of any bucket',
      [{ ...allowAll, Action: 's3:GetObject', Resource: 'arn:aws:s3:::*/*' }],
    ],
  ])('share one analysis and each shows its own ids (%s)', async (_, statements) => {
    // Prepare: the first endpoint fills the cache; the second differs in its ids only.
    const policy = present(statements);
    await evaluate(endpointWith(policy));
    const second = endpointWith(policy, {
      id: 'vpce-0ffff0000aaaa1111',
      vpcId: 'vpc-0eeee1111bbbb2222',
    });
    const text = (policy as { text: string }).text;
    const direct = analysePerimeter(
      parsePolicy(text),
      {
        id: second.id,
        vpcId: second.vpcId,
        account: undefined,
        partition: 'aws',
        region: 'eu-west-1',
        prefix: 's3',
      },
      trustOf(parsePolicy(text), [], []),
    );

    // Act
    const verdict = await evaluate(second);

    // Assess
    expect(verdict.compliance === 'COMPLIANT').toBe(direct.compliant);
    expect(verdict.counterexample).toEqual(direct.escapes[0]?.counterexample);
    expect(JSON.stringify(verdict)).not.toMatch(
      /1f1f1f|vpce-0a1b2c3d4e5f67890|vpc-0f1e2d3c4b5a69788/,
    );
  });
});
