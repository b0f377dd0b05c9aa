import { describe, expect, it } from 'vitest';
import { conditionEntryMatches } from '../../src/policy/condition.js';
import { type ConditionEntry, parsePolicy } from '../../src/policy/document.js';
import { describeRejections } from '../../src/policy/explain.js';
import {
  analyseGuards,
  type GuardSpec,
  matchesNoOutsideValue,
  matchesOutsideValues,
  matchesWhenAbsent,
} from '../../src/policy/guard.js';

const ARN = 'arn:aws:s3:::bucket';

/** A TLS guard: the entry must match plain-HTTP requests. */
const spec = (exemptKeys: string[] = []): GuardSpec => ({
  guardKeys: ['aws:securetransport'],
  checkGuardEntry: (entry) =>
    conditionEntryMatches(entry, { 'aws:securetransport': 'false' }) ? undefined : 'misses HTTP',
  exemptKeys,
  actions: 's3:*',
  targets: [
    { label: 'the bucket', resource: ARN },
    { label: 'its objects', resource: `${ARN}/*` },
  ],
});

const deny = (extra: Record<string, unknown> = {}) => ({
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [ARN, `${ARN}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  ...extra,
});

const entryOf = (condition: Record<string, unknown>): ConditionEntry => {
  const entry = parsePolicy({
    Statement: { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: condition },
  }).statements[0]?.conditions[0];
  if (!entry) throw new Error('no entry');
  return entry;
};

describe('analyseGuards', () => {
  it('is complete for one Deny on everyone, all actions, bucket and objects', () => {
    // Act
    const analysis = analyseGuards(parsePolicy({ Statement: [deny()] }), spec());

    // Assess
    expect(analysis.complete).toBe(true);
    expect(analysis.guards.map((guard) => guard.statement.index)).toEqual([0]);
  });

  it('counts split statements together', () => {
    // Prepare
    const policy = parsePolicy({
      Statement: [deny({ Resource: ARN }), deny({ Resource: `${ARN}/*` })],
    });

    // Act
    const analysis = analyseGuards(policy, spec());

    // Assess
    expect(analysis.complete).toBe(true);
  });

  it('reports a target no guard covers and a guard that reaches part of one', () => {
    // Prepare
    const policy = parsePolicy({ Statement: [deny({ Resource: `${ARN}/secret/*` })] });

    // Act
    const analysis = analyseGuards(policy, spec());

    // Assess
    expect(analysis.complete).toBe(false);
    expect(analysis.gaps.map((gap) => gap.target.label)).toEqual(['the bucket', 'its objects']);
    expect(analysis.gaps[1]?.partialGuards.map((s) => s.index)).toEqual([0]);
  });

  it('reports the NotAction patterns that escape', () => {
    // Prepare
    const policy = parsePolicy({
      Statement: [deny({ Action: undefined, NotAction: 's3:GetObject' })],
    });

    // Act
    const analysis = analyseGuards(policy, spec());

    // Assess
    expect(analysis.gaps.map((gap) => gap.escaping)).toEqual([['s3:GetObject'], ['s3:GetObject']]);
  });

  it('rejects an ANDed key unless it is exempt, and records the exemption', () => {
    // Prepare
    const policy = parsePolicy({
      Statement: [
        deny({
          Condition: {
            Bool: { 'aws:SecureTransport': 'false' },
            ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/BreakGlass' },
          },
        }),
      ],
    });

    // Act
    const strict = analyseGuards(policy, spec());
    const lenient = analyseGuards(policy, spec(['aws:principalarn']));

    // Assess
    expect(strict.complete).toBe(false);
    expect(strict.rejected[0]?.problems).toEqual([
      { kind: 'narrowing', entry: expect.objectContaining({ key: 'aws:PrincipalArn' }) },
    ]);
    expect(lenient.complete).toBe(true);
    expect(lenient.guards[0]?.exemptionsUsed).toEqual(['aws:PrincipalArn']);
  });

  it('never counts an Allow, nor a Deny for a narrower principal', () => {
    // Prepare
    const policy = parsePolicy({
      Statement: [
        deny({ Effect: 'Allow' }),
        deny({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } }),
      ],
    });

    // Act
    const analysis = analyseGuards(policy, spec());

    // Assess
    expect(analysis.complete).toBe(false);
    expect(analysis.rejected.map((r) => r.problems[0]?.kind)).toEqual(['allow', 'principal']);
  });

  it('accepts NotPrincipal only when aws:PrincipalArn is exempt', () => {
    // Prepare
    const policy = parsePolicy({
      Statement: [
        deny({
          Principal: undefined,
          NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/BreakGlass' },
        }),
      ],
    });

    // Act & Assess
    expect(analyseGuards(policy, spec()).complete).toBe(false);
    expect(analyseGuards(policy, spec(['aws:principalarn'])).guards[0]?.exemptionsUsed).toEqual([
      'NotPrincipal',
    ]);
  });

  it('passes guard entries through the caller check', () => {
    // Prepare
    const policy = parsePolicy({
      Statement: [deny({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } })],
    });

    // Act
    const analysis = analyseGuards(policy, spec());

    // Assess
    expect(analysis.rejected[0]?.problems).toEqual([
      expect.objectContaining({ kind: 'guard-entry', detail: 'misses HTTP' }),
    ]);
  });
});

describe('matchesWhenAbsent / matchesOutsideValues', () => {
  it('tells negated, positive and set operators apart', () => {
    // Prepare
    const notEquals = entryOf({ StringNotEquals: { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f67890' } });
    const equals = entryOf({ StringEquals: { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f67890' } });
    const anyValue = entryOf({
      'ForAnyValue:StringNotEquals': { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f67890' },
    });
    const isNull = entryOf({ Null: { 'aws:SourceVpce': 'true' } });

    // Act & Assess
    expect([notEquals, equals, anyValue, isNull].map(matchesWhenAbsent)).toEqual([
      true,
      false,
      false,
      true,
    ]);
    expect([notEquals, equals, anyValue, isNull].map((e) => matchesOutsideValues(e, []))).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });

  it('judges a wildcard that matches every outside value as a match, not vacuously', () => {
    // Prepare
    const everything = entryOf({ StringNotLike: { 'aws:SourceVpce': '*' } });
    const anyEndpoint = entryOf({ StringNotLike: { 'aws:SourceVpce': 'vpce-*' } });
    const someEndpoints = entryOf({ StringNotLike: { 'aws:SourceVpce': 'vpce-0a1b*' } });
    const probes = ['vpce-00000000000000000'];

    // Act & Assess
    expect(matchesOutsideValues(everything, probes)).toBe(false);
    expect(matchesOutsideValues(anyEndpoint, probes)).toBe(false);
    expect(matchesOutsideValues(someEndpoints, probes)).toBe(true);
  });

  it('skips probes the entry names literally, comparing without case for IgnoreCase', () => {
    // Prepare
    const listsProbe = entryOf({
      StringNotEqualsIgnoreCase: { 'aws:SourceVpce': 'VPCE-00000000000000000' },
    });

    // Act & Assess
    expect(matchesOutsideValues(listsProbe, ['vpce-00000000000000000'])).toBe(true);
  });

  it('needs every outside value matched for a Deny and none for an Allow limit', () => {
    // Prepare
    const someAccounts = entryOf({ StringLike: { 'aws:PrincipalAccount': '9*' } });
    const trusted = entryOf({ StringEquals: { 'aws:PrincipalAccount': '111122223333' } });
    const probes = ['999999999999', '444455556666'];

    // Act & Assess
    expect(matchesOutsideValues(someAccounts, probes)).toBe(false);
    expect(matchesNoOutsideValue(someAccounts, probes)).toBe(false);
    expect(matchesNoOutsideValue(trusted, probes)).toBe(true);
  });
});

describe('exempted keys', () => {
  const withExemption = (condition: Record<string, unknown>) =>
    parsePolicy({
      Statement: [deny({ Condition: { Bool: { 'aws:SecureTransport': 'false' }, ...condition } })],
    });
  const exempt = spec(['aws:principalarn', 'aws:viaawsservice']);

  it.each([
    ['ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/break-glass-*'],
    ['StringNotEquals', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/BreakGlass'],
    ['Bool', 'aws:ViaAWSService', 'false'],
    ['BoolIfExists', 'aws:ViaAWSService', 'false'],
  ])('accepts %s %s %s, which carves principals or services out of the Deny', (op, key, value) => {
    // Act
    const analysis = analyseGuards(withExemption({ [op]: { [key]: value } }), exempt);

    // Assess
    expect(analysis.complete).toBe(true);
    expect(analysis.guards[0]?.exemptionsUsed).toEqual([key]);
  });

  it.each([
    ['StringEquals', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/OnlyThisRole'],
    ['ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:*'],
    ['StringNotLike', 'aws:PrincipalArn', '*'],
    ['StringLike', 'aws:PrincipalArn', '*'],
    ['Bool', 'aws:ViaAWSService', 'true'],
  ])('rejects %s %s %s, which restricts the Deny to a few principals', (op, key, value) => {
    // Act
    const analysis = analyseGuards(withExemption({ [op]: { [key]: value } }), exempt);

    // Assess
    expect(analysis.complete).toBe(false);
    expect(analysis.rejected[0]?.problems).toEqual([
      expect.objectContaining({ kind: 'exemption', entry: expect.objectContaining({ key }) }),
    ]);
  });

  it('applies the same test to keys without a known outsider value', () => {
    // Prepare
    const carveOut = withExemption({ StringNotEquals: { 'aws:PrincipalTag/team': 'ops' } });
    const restrict = withExemption({ StringEquals: { 'aws:PrincipalTag/team': 'ops' } });
    const tagExempt = spec(['aws:principaltag/team']);

    // Act & Assess
    expect(analyseGuards(carveOut, tagExempt).complete).toBe(true);
    expect(analyseGuards(restrict, tagExempt).complete).toBe(false);
  });

  it('names the problem even when the Deny has no guard key', () => {
    // Prepare
    const policy = parsePolicy({
      Statement: [
        deny({
          Condition: { StringEquals: { 'aws:PrincipalArn': 'arn:aws:iam::1:role/One' } },
        }),
      ],
    });
    const analysis = analyseGuards(policy, exempt);

    // Act
    const sentences = describeRejections(analysis, {
      guard: 'TLS Deny',
      actions: 'S3 actions',
      allActions: 's3:*',
    });

    // Assess
    expect(sentences).toHaveLength(1);
    expect(sentences[0]).toContain('restricts the Deny to a few principals');
    expect(sentences[0]).toContain('instead of excepting them');
  });
});

describe('principal problems', () => {
  it('says a Service "*" Deny applies only to AWS service principals', () => {
    // Prepare
    const policy = parsePolicy({ Statement: [deny({ Principal: { Service: '*' } })] });

    // Act
    const analysis = analyseGuards(policy, spec());

    // Assess
    expect(analysis.rejected[0]?.problems).toEqual([
      {
        kind: 'principal',
        detail: expect.stringContaining('applies only to AWS service principals'),
      },
    ]);
  });
});
