import { describe, expect, it } from 'vitest';
import type { PolicySource, VpcEndpoint } from '../../src/model/resources.js';
import { parsePolicy } from '../../src/policy/document.js';
import { analyseFence } from '../../src/policy/fence.js';
import { parseParams } from '../../src/rules/params.js';
import { vpcEndpointPolicyRestricted as rule } from '../../src/rules/vpc-endpoint-policy-restricted.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { NETWORK } from './fences.js';

/*
 * "Context key names are not case-sensitive. For example, including the aws:SourceIP context key
 * is equivalent to testing for AWS:SourceIp" (IAM User Guide, IAM JSON policy elements:
 * Condition). One operator block naming a key in two spellings names it twice: JSON.parse keeps
 * both, AWS documents no reading of the repeat (first, last, both).
 */

const endpointWith = (condition: Record<string, unknown>): VpcEndpoint => ({
  type: 'AWS::EC2::VPCEndpoint',
  id: 'vpce-0a1b2c3d4e5f67890',
  tags: {},
  vpcId: 'vpc-0f1e2d3c4b5a69788',
  serviceName: 'com.amazonaws.eu-west-1.s3',
  endpointType: 'Gateway',
  state: 'available',
  policy: {
    kind: 'present',
    text: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:*',
          Resource: '*',
          Condition: condition,
        },
      ],
    }),
  } satisfies PolicySource,
  routeTableIds: ['rtb-0a9b8c7d6e5f40312'],
  subnetIds: [],
  securityGroupIds: [],
  privateDnsEnabled: false,
});

const evaluate = (endpoint: VpcEndpoint) =>
  rule.evaluate(
    endpoint,
    SnapshotView.fromResources([endpoint]),
    parseParams(rule.id, rule.parameters, {}),
  );

describe('a condition key or operator spelled twice in one block', () => {
  it('does not take an Allow limited by one spelling and opened by the other as bounded (was COMPLIANT)', async () => {
    // Prepare: read last-wins without case, the Allow is for every account.
    const condition = {
      StringLike: { 'aws:PrincipalAccount': '111122223333', 'aws:principalaccount': '*' },
    };

    // Act
    const verdict = await evaluate(endpointWith(condition));

    // Assess
    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.annotation).toMatch(/cannot be analysed/);
  });

  it('refuses two spellings of one operator, and of one key in a Deny', () => {
    expect(() =>
      parsePolicy(
        '{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0a"},"stringnotequals":{"aws:SourceVpce":"vpce-0b"}}}}',
      ),
    ).toThrow(/twice/);
    expect(() =>
      parsePolicy(
        '{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0a","AWS:SOURCEVPCE":"vpce-0b"}}}}',
      ),
    ).toThrow(/twice/);
  });

  it('keeps one key under two operators (ANDed, as documented) and keys elsewhere as written', async () => {
    // Act
    const verdict = await evaluate(
      endpointWith({
        StringEquals: { 'aws:PrincipalAccount': '111122223333' },
        StringLike: { 'aws:principalaccount': '*' },
      }),
    );

    // Assess
    expect(verdict.compliance).toBe('COMPLIANT');
    expect(() =>
      parsePolicy(
        '{"Statement":{"Sid":"a","sid":"b","Effect":"Deny","Principal":{"AWS":"*"},"Action":"*","Resource":"*"}}',
      ),
    ).not.toThrow();
  });
});

/*
 * Operators and principal types are read as the IAM references spell them (StringNotEquals,
 * ForAllValues:, ...IfExists; AWS, Service, Federated, CanonicalUser): neither reference gives
 * a case rule, so another spelling decides nothing.
 */
describe('operator and principal type spellings', () => {
  const fence = (statement: Record<string, unknown>) =>
    analyseFence(
      parsePolicy(
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Action: 's3:*',
              Resource: ['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*'],
              ...statement,
            },
          ],
        }),
      ),
      {
        name: 'examplebucket',
        arn: 'arn:aws:s3:::examplebucket',
        partition: 'aws',
        account: '111122223333',
      },
      NETWORK,
      {},
    );
  const outside = { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f67890' };

  it.each(['stringnotequals', 'StringNotEqualsIFEXISTS'])(
    'does not credit a Deny conditioned with %s (was COMPLIANT)',
    (operator) => {
      const result = fence({ Principal: '*', Condition: { [operator]: outside } });
      expect(result.compliant).toBe(false);
      expect(result.escapes[0]?.misses[0]?.text).toMatch(/not an IAM condition operator/);
    },
  );

  it('refuses Principal {"aws": "*"} and forallvalues: (were read as AWS and ForAllValues)', () => {
    expect(() =>
      fence({ Principal: { aws: '*' }, Condition: { StringNotEquals: outside } }),
    ).toThrow(/unknown principal type "aws"/);
    expect(() =>
      fence({ Principal: '*', Condition: { 'forallvalues:StringNotEquals': outside } }),
    ).toThrow(/unknown set operator prefix/);
  });

  it('still reads the documented spellings', () => {
    expect(
      fence({ Principal: { AWS: '*' }, Condition: { StringNotEquals: outside } }).compliant,
    ).toBe(true);
    expect(
      fence({ Principal: '*', Condition: { 'ForAllValues:StringNotEqualsIfExists': outside } })
        .compliant,
    ).toBe(true);
  });
});
