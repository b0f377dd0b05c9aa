import { describe, expect, it } from 'vitest';
import { matchText } from '../../src/policy/automata.js';
import { parsePolicy } from '../../src/policy/document.js';
import { analyseFence } from '../../src/policy/fence.js';
import { analysePerimeter, trustOf } from '../../src/policy/perimeter.js';
import { ACCOUNT, DEFAULTS, NETWORK, VPCE } from './fences.js';
import { decide, fromCounterexample } from './oracle.js';

/*
 * Resource wildcards and ARN segments. IAM User Guide, "IAM JSON policy elements: Resource",
 * Using wildcards in resource ARNs: "You can use wildcard characters (* and ?) within the
 * individual segments of an ARN (the parts separated by colons) ... If the * wildcard is the last
 * character of a resource ARN segment, it can expand to match beyond the colon boundaries." An S3
 * object key may hold colons, so both readings name real requests.
 */

const ENDPOINT = {
  id: VPCE,
  vpcId: 'vpc-0f1e2d3c4b5a69788',
  account: ACCOUNT,
  partition: 'aws',
  region: 'eu-west-1',
  prefix: 's3',
};

const fenceOf = (resources: string[]) =>
  analyseFence(
    parsePolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: resources,
            Condition: { StringNotEquals: { 'aws:SourceVpce': VPCE } },
          },
        ],
      }),
    ),
    {
      name: 'examplebucket',
      arn: 'arn:aws:s3:::examplebucket',
      partition: 'aws',
      account: ACCOUNT,
    },
    NETWORK,
    DEFAULTS,
  );

const allowOn = (resources: string[], prefix = 's3') => {
  const document = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: `${prefix}:*`, Resource: resources }],
  };
  const policy = parsePolicy(JSON.stringify(document));
  return {
    document,
    result: analysePerimeter(policy, { ...ENDPOINT, prefix }, trustOf(policy, [], [])),
  };
};

describe('resource mode: a * spans colons only where it ends an ARN segment', () => {
  it.each([
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/a:b', true],
    ['arn:aws:s3:::b/*?', 'arn:aws:s3:::b/a:b', false],
    ['arn:aws:s3:::b/*.csv', 'arn:aws:s3:::b/a:b.csv', false],
    ['arn:aws:s3:::b/*.csv', 'arn:aws:s3:::b/ab.csv', true],
    ['arn:*:s3:::b/*', 'arn:aws:s3:::x/k:s3:::b/y', true],
    // The colon rule names the star: `?` stays "any single character".
    // "Within the individual segments": only a * ending its segment is said to reach past a colon.
    ['arn:aws:s3:::b/?*', 'arn:aws:s3:::b/:x', false],
    ['arn:aws:s3:::b/?*', 'arn:aws:s3:::b/x:y', true],
  ])('%s against %s: %s', (pattern, value, expected) => {
    expect(matchText(pattern, value, 'resource')).toBe(expected);
    // Plain glob matches every one of them: the two readings differ exactly on the false rows.
    expect(matchText(pattern, value, 'glob')).toBe(true);
  });
});

describe('bucket fence: a Deny is not credited with keys only a colon-spanning * reaches', () => {
  it('lets in an object whose key holds a colon past Resource bucket/*? (was COMPLIANT)', () => {
    // Act
    const result = fenceOf(['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*?']);

    // Assess
    expect(result.compliant).toBe(false);
    const first = result.escapes[0];
    expect(first?.counterexample.resource).toMatch(/^arn:aws:s3:::examplebucket\/.*:/);
    expect(first?.misses.map((m) => m.kind)).toEqual(['undecided']);
    expect(first?.misses[0]?.text).toMatch(/colon/);
  });

  it('still credits a * that ends its segment', () => {
    expect(fenceOf(['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*']).compliant).toBe(
      true,
    );
    expect(fenceOf(['arn:aws:s3:::examplebucket*']).compliant).toBe(true);
  });

  it('does not credit bucket/?* with keys that start with a colon (a ? stays in its segment)', () => {
    expect(fenceOf(['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/?*']).compliant).toBe(
      false,
    );
  });
});

describe('endpoint perimeter: a named bucket or account bounds only requests it owns', () => {
  it.each([
    [['arn:*:s3:::corp-data', 'arn:*:s3:::corp-data/*']],
    [['arn:aws:s3:*:111122223333:accesspoint/*']],
  ])(
    'an Allow on %j reaches another bucket through a key holding colons (was COMPLIANT)',
    (resources) => {
      // Act
      const { document, result } = allowOn(resources);

      // Assess
      expect(result.compliant).toBe(false);
      const example = result.escapes[0]?.counterexample;
      expect(example?.resource).toMatch(/^arn:aws:s3:::exfil-bucket\/.*:/);
      // The policy does allow that request: the plain evaluator agrees.
      expect(decide(document, fromCounterexample(example as never))).toBe('allow');
    },
  );

  it('keeps bucket names and DynamoDB tables of a named account bounded', () => {
    expect(allowOn(['arn:aws:s3:::corp-data', 'arn:aws:s3:::corp-data/*']).result.compliant).toBe(
      true,
    );
    // Table ARNs hold no caller-chosen colons: a region wildcard cannot reach another account.
    expect(allowOn([`arn:aws:dynamodb:*:${ACCOUNT}:table/*`], 'dynamodb').result.compliant).toBe(
      true,
    );
  });
});

describe('endpoint perimeter: a Deny of every resource but some names them', () => {
  const withDeny = (kept: string[], action = '*') => {
    const policy = parsePolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
          { Effect: 'Deny', Principal: '*', Action: action, NotResource: kept },
        ],
      }),
    );
    return analysePerimeter(policy, ENDPOINT, trustOf(policy, [], []));
  };

  it('bounds an Allow of everything by Deny NotResource on the named bucket (was NON_COMPLIANT)', () => {
    expect(withDeny(['arn:aws:s3:::corp-data', 'arn:aws:s3:::corp-data/*']).compliant).toBe(true);
  });

  it('still lets in what the Deny leaves out: other actions, or a colon-spanning partition *', () => {
    expect(
      withDeny(['arn:aws:s3:::corp-data', 'arn:aws:s3:::corp-data/*'], 's3:GetObject').compliant,
    ).toBe(false);
    expect(withDeny(['arn:*:s3:::corp-data', 'arn:*:s3:::corp-data/*']).compliant).toBe(false);
  });
});
