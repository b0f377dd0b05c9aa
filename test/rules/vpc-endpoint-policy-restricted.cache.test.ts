import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicySource, VpcEndpoint } from '../../src/model/resources.js';
import { parsePolicy } from '../../src/policy/document.js';
import type { Rename } from '../../src/policy/identifiers.js';
import { analysePerimeter, trustOf } from '../../src/policy/perimeter.js';
import { restoreText } from '../../src/policy/restore.js';
import { restoredCopy } from '../../src/rules/endpoint-policy-results.js';
import { parseParams } from '../../src/rules/params.js';
import {
  actionPrefixOf,
  vpcEndpointPolicyRestricted as rule,
} from '../../src/rules/vpc-endpoint-policy-restricted.js';
import { SnapshotView } from '../../src/sources/snapshot.js';

/*
 * The rule shares one analysis among endpoints of a policy and caches what it derives from the
 * policy: every answer must equal the one worked out afresh for the endpoint itself.
 */

const ACCOUNT = '111122223333';
const ENDPOINT_PLACEHOLDER = 'vpce-1f1f1f1f1f1f1f1f1';
const VPC_PLACEHOLDER = 'vpc-1f1f1f1f1f1f1f1f1';

const renames: Rename[] = [
  { placeholder: ENDPOINT_PLACEHOLDER, original: 'vpce-0a1b2c3d4e5f67890', kind: 'token' },
  { placeholder: VPC_PLACEHOLDER, original: 'vpc-0f1e2d3c4b5a69788', kind: 'token' },
];

const endpointWith = (text: string, id: string, vpcId: string): VpcEndpoint => ({
  type: 'AWS::EC2::VPCEndpoint',
  id,
  tags: {},
  vpcId,
  accountId: ACCOUNT,
  serviceName: 'com.amazonaws.eu-west-1.s3',
  endpointType: 'Gateway',
  state: 'available',
  policy: { kind: 'present', text } satisfies PolicySource,
  routeTableIds: [],
  subnetIds: [],
  securityGroupIds: [],
  privateDnsEnabled: false,
});

const evaluate = (endpoint: VpcEndpoint, params: ReturnType<typeof parseParams>) =>
  rule.evaluate(endpoint, SnapshotView.fromResources([endpoint]), params as never);

describe('vpc-endpoint-policy-restricted caches', () => {
  it('restores a shared result exactly as restoring its JSON text would', () => {
    // Strings put placeholders next to escapes, quotes and token characters.
    const piece = fc.constantFrom(
      ENDPOINT_PLACEHOLDER,
      VPC_PLACEHOLDER,
      '\n',
      '"',
      '\\',
      '\u0001',
      'x',
      '-',
      ' ',
      '/',
      '1f1f',
    );
    const text = fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join(''));
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        text,
        fc.integer(),
        fc.constantFrom(true, false, null, undefined, Number.NaN, Number.POSITIVE_INFINITY),
      ),
      node: fc.oneof(
        { depthSize: 'small' },
        tie('leaf'),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.oneof(text, fc.constant('__proto__')), tie('node'), { maxKeys: 4 }),
      ),
    })).node;

    // Originals that JSON escapes too (a snapshot is untrusted input): the text way writes them as
    // JSON string content, so each string gets the original itself.
    const oddRenames: Rename[] = [
      { placeholder: ENDPOINT_PLACEHOLDER, original: 'vpce-"quoted"', kind: 'token' },
      { placeholder: VPC_PLACEHOLDER, original: 'vpc-back\\slash', kind: 'token' },
    ];
    const outcome = (run: () => unknown) => {
      try {
        return { value: JSON.stringify(run()) };
      } catch (error) {
        return { error: (error as Error).name };
      }
    };

    fc.assert(
      fc.property(value, fc.constantFrom(renames, oddRenames), (input, chosen) => {
        const viaText = JSON.stringify(input);
        expect(outcome(() => restoredCopy(input, chosen))).toEqual(
          outcome(() =>
            viaText === undefined
              ? undefined
              : JSON.parse(
                  restoreText(
                    viaText,
                    chosen.map((r) => ({
                      ...r,
                      original: JSON.stringify(r.original).slice(1, -1),
                    })),
                  ),
                ),
          ),
        );
      }),
      { numRuns: 800 },
    );
  });

  it('gives endpoints sharing a policy the counterexample of their own analysis', async () => {
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AllowAll', Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' },
        {
          Sid: 'DenyOutsideOrg',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
        },
      ],
    });
    const params = parseParams(rule.id, rule.parameters, {});
    const endpoints = [
      endpointWith(text, 'vpce-0a1b2c3d4e5f67890', 'vpc-0f1e2d3c4b5a69788'),
      endpointWith(text, 'vpce-11112222333344445', 'vpc-99998888777766665'),
      endpointWith(text, 'vpce-0a1b2c3d4e5f67890', 'vpc-aaaabbbbccccdddd0'),
    ];

    for (const endpoint of endpoints) {
      const verdict = await evaluate(endpoint, params);
      const policy = parsePolicy(text);
      const own = analysePerimeter(
        policy,
        {
          id: endpoint.id,
          vpcId: endpoint.vpcId,
          account: ACCOUNT,
          partition: 'aws',
          region: 'eu-west-1',
          prefix: 's3',
        },
        trustOf(policy, [], []),
      );
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.counterexample).toEqual(own.escapes[0]?.counterexample);
      for (const found of own.escapes) {
        for (const miss of found.misses) expect(verdict.detail).toContain(miss.text);
      }
    }
  });

  it('derives the trust anew when the trusted accounts change, even in the same list', async () => {
    const text = JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:*',
          Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } },
        },
      ],
    });
    const endpoint = endpointWith(text, 'vpce-0a1b2c3d4e5f67890', 'vpc-0f1e2d3c4b5a69788');
    const named = parseParams(rule.id, rule.parameters, {});
    const trusted = parseParams(rule.id, rule.parameters, { trustedAccountIds: ACCOUNT });
    const fresh = async (raw: Record<string, unknown>) =>
      evaluate(endpoint, parseParams(rule.id, rule.parameters, raw));

    const first = await evaluate(endpoint, named);
    const second = await evaluate(endpoint, trusted);
    const third = await evaluate(endpoint, named);
    (trusted.trustedAccountIds as string[])[0] = '444455556666';
    const changed = await evaluate(endpoint, trusted);

    expect(first.compliance).toBe('COMPLIANT');
    expect(second.compliance).toBe('COMPLIANT');
    expect(second.detail).toContain('the trusted accounts');
    expect(third).toEqual(first);
    expect(changed.compliance).toBe('NON_COMPLIANT');
    expect(changed).toEqual(await fresh({ trustedAccountIds: '444455556666' }));
  });

  it('reads service names alike before and after their cache has turned over', () => {
    const names = [
      'com.amazonaws.eu-west-1.s3',
      'com.amazonaws.eu-west-1.ecr.dkr',
      'com.amazonaws.eu-west-1.kms-fips',
      'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0',
      'not a service name',
    ];
    const first = names.map(actionPrefixOf);

    for (let index = 0; index < 3_000; index++)
      actionPrefixOf(`com.amazonaws.eu-west-1.svc${index}`);
    const again = names.map(actionPrefixOf);

    expect(first).toEqual(['s3', 'ecr', 'kms', undefined, undefined]);
    expect(again).toEqual(first);
    expect(actionPrefixOf('com.amazonaws.eu-west-1.svc2999')).toBe('svc2999');
  });

  it('keys each endpoint of an endpoint-specific policy apart, also after its keys turned over', async () => {
    const named = 'vpce-0a1b2c3d4e5f67890';
    const text = JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:*',
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceVpce': named } },
        },
      ],
    });
    const params = parseParams(rule.id, rule.parameters, {});
    const ids = [
      named,
      ...Array.from({ length: 80 }, (_, index) => `vpce-${String(index).padStart(17, '0')}`),
    ];
    const own = (id: string) => {
      const policy = parsePolicy(text);
      const facts = {
        id,
        vpcId: 'vpc-0f1e2d3c4b5a69788',
        account: ACCOUNT,
        partition: 'aws',
        region: 'eu-west-1',
        prefix: 's3',
      };
      return analysePerimeter(policy, facts, trustOf(policy, [], [])).compliant;
    };

    const verdicts = [];
    for (const id of [...ids, ...ids.slice(0, 3)]) {
      verdicts.push([
        id,
        (await evaluate(endpointWith(text, id, 'vpc-0f1e2d3c4b5a69788'), params)).compliance,
      ]);
    }

    expect(verdicts).toEqual(
      [...ids, ...ids.slice(0, 3)].map((id) => [id, own(id) ? 'COMPLIANT' : 'NON_COMPLIANT']),
    );
    expect(verdicts.filter(([, compliance]) => compliance === 'NON_COMPLIANT')).toHaveLength(2);
  });
});
