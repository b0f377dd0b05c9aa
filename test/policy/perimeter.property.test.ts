import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/document.js';
import { analysePerimeter, trustOf } from '../../src/policy/perimeter.js';
import { decide, fromCounterexample } from './oracle.js';

/*
 * Soundness of the endpoint-policy analyser against the plain evaluator in ./oracle.ts: every
 * counterexample is a request the policy allows through the endpoint, and bounded neither by a
 * trusted principal nor by a trusted resource.
 */

const ACCOUNT = '111122223333';
const ORG = 'o-a1b2c3d4e5';
const ENDPOINT = {
  id: 'vpce-0a1b2c3d4e5f67890',
  vpcId: 'vpc-0f1e2d3c4b5a69788',
  account: ACCOUNT,
  partition: 'aws',
  region: 'eu-west-1',
  prefix: 's3',
};

const condition = fc.record({
  op: fc.constantFrom(
    'StringEquals',
    'StringEqualsIfExists',
    'ForAllValues:StringEquals',
    'ForAnyValue:StringEquals',
    'StringNotEquals',
  ),
  key: fc.constantFrom(
    'aws:PrincipalOrgID',
    'aws:PrincipalAccount',
    'aws:ResourceAccount',
    'aws:SourceVpce',
  ),
  values: fc.subarray([ORG, ACCOUNT, '444455556666', ENDPOINT.id], { minLength: 1, maxLength: 2 }),
});

const statement = fc.record({
  Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
  principal: fc.constantFrom<Record<string, unknown>>(
    { Principal: '*' },
    { Principal: { AWS: ACCOUNT } },
    { Principal: { AWS: '444455556666' } },
  ),
  action: fc.constantFrom<Record<string, unknown>>(
    { Action: 's3:*' },
    { Action: '*' },
    { Action: ['s3:GetObject', 's3:PutObject'] },
    { NotAction: 's3:DeleteBucket' },
  ),
  resource: fc.constantFrom<Record<string, unknown>>(
    { Resource: '*' },
    { Resource: 'arn:aws:s3:::*/*' },
    { Resource: ['arn:aws:s3:::acme-data', 'arn:aws:s3:::acme-data/*'] },
    { NotResource: 'arn:aws:s3:::acme-data/*' },
  ),
  conditions: fc.array(condition, { maxLength: 2 }),
});

type Generated = typeof statement extends fc.Arbitrary<infer T> ? T : never;

const documentOf = (statements: readonly Generated[]) => ({
  Version: '2012-10-17',
  Statement: statements.map((s, index) => {
    const block: Record<string, Record<string, string[]>> = {};
    for (const c of s.conditions) block[c.op] = { ...(block[c.op] ?? {}), [c.key]: c.values };
    return {
      Sid: `S${index}`,
      Effect: s.Effect,
      ...s.principal,
      ...s.action,
      ...s.resource,
      ...(s.conditions.length > 0 ? { Condition: block } : {}),
    };
  }),
});

describe('endpoint-policy analyser against the plain evaluator', () => {
  it('offers only counterexamples the policy allows and that no trusted principal or resource bounds', () => {
    fc.assert(
      fc.property(
        fc.array(statement, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (statements, withParams) => {
          const document = documentOf(statements);
          const policy = parsePolicy(JSON.stringify(document));
          const trust = trustOf(policy, withParams ? [ACCOUNT] : [], withParams ? [ORG] : []);
          const result = analysePerimeter(policy, ENDPOINT, trust);
          for (const found of result.escapes) {
            const example = found.counterexample;
            const request = fromCounterexample(example);
            if (found.misses.some((miss) => miss.kind === 'undecided')) continue;
            expect(decide(document, request), JSON.stringify(example)).toBe('allow');
            const account = request.principal.arn?.split(':')[4];
            expect(account !== undefined && trust.accounts.includes(account)).toBe(false);
            expect(trust.orgs.includes(String(request.context['aws:principalorgid']))).toBe(false);
            expect(trust.accounts.includes(String(request.context['aws:resourceaccount']))).toBe(
              false,
            );
          }
        },
      ),
      { numRuns: 1000 },
    );
  }, 300_000);
});
