/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables and escapes are the subject here. */
import { describe, expect, it } from 'vitest';
import { entryHolds, ipInCidr, type Tri } from '../../src/policy/condition.js';
import { type ConditionEntry, parsePolicy } from '../../src/policy/document.js';

/** Request context: lower-case key → one value or a multivalued key's values. */
type RequestContext = Readonly<Record<string, string | readonly string[]>>;

/** The entry on a concrete context, variables live (Version 2012-10-17). */
const holds = (entry: ConditionEntry, context: RequestContext): Tri => {
  const value = context[entry.keyLower];
  return entryHolds(
    entry,
    value === undefined ? null : typeof value === 'string' ? [value] : value,
    true,
  );
};

const conditionEntryMatches = (entry: ConditionEntry, context: RequestContext): boolean =>
  holds(entry, context) === true;

/** Parses a Condition block through the real parser, so tests exercise the normalised form. */
const conditionOf = (condition: Record<string, unknown>) =>
  parsePolicy({
    Statement: { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: condition },
  }).statements[0]?.conditions ?? [];

/** A Condition block matches when every entry does (IAM ANDs them). */
const matches = (condition: Record<string, unknown>, context: RequestContext): boolean =>
  conditionOf(condition).every((entry) => conditionEntryMatches(entry, context));

const VPCE = 'vpce-0a1b2c3d4e5f67890';
const OTHER = 'vpce-0fedcba9876543210';

describe('entryHolds', () => {
  describe('negated string operators over a list', () => {
    const condition = { StringNotEquals: { 'aws:SourceVpce': [VPCE, 'vpce-0b1b2c3d4e5f67890'] } };

    it('matches when the request value is none of the list', () => {
      // Act & Assess
      expect(matches(condition, { 'aws:sourcevpce': OTHER })).toBe(true);
    });

    it('does not match when the request value is any of the list', () => {
      // Act & Assess
      expect(matches(condition, { 'aws:sourcevpce': VPCE })).toBe(false);
      expect(matches(condition, { 'aws:sourcevpce': 'vpce-0b1b2c3d4e5f67890' })).toBe(false);
    });

    it('matches when the key is absent (no endpoint: internet or NAT)', () => {
      // Act & Assess
      expect(matches(condition, {})).toBe(true);
    });
  });

  it('matches condition keys case-insensitively', () => {
    // Prepare
    const condition = { StringNotEquals: { 'AWS:sourceVPCE': VPCE } };

    // Act & Assess
    expect(matches(condition, { 'aws:sourcevpce': VPCE })).toBe(false);
    expect(matches(condition, { 'aws:sourcevpce': OTHER })).toBe(true);
  });

  it('lets IfExists match a missing key for positive operators too', () => {
    // Act & Assess
    expect(matches({ StringEquals: { 'aws:SourceVpce': VPCE } }, {})).toBe(false);
    expect(matches({ StringEqualsIfExists: { 'aws:SourceVpce': VPCE } }, {})).toBe(true);
    expect(
      matches({ StringEqualsIfExists: { 'aws:SourceVpce': VPCE } }, { 'aws:sourcevpce': OTHER }),
    ).toBe(false);
  });

  it('applies StringLike / StringNotLike wildcards case-sensitively', () => {
    // Act & Assess
    expect(
      matches(
        { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Admin*' } },
        { 'aws:principalarn': 'arn:aws:iam::111122223333:role/AdminX' },
      ),
    ).toBe(true);
    expect(
      matches(
        { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Admin*' } },
        { 'aws:principalarn': 'arn:aws:iam::111122223333:role/adminx' },
      ),
    ).toBe(false);
    expect(
      matches({ StringNotLike: { 'aws:SourceVpce': 'vpce-0a*' } }, { 'aws:sourcevpce': OTHER }),
    ).toBe(true);
  });

  it('compares IgnoreCase operators without case', () => {
    // Act & Assess
    expect(
      matches(
        { StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Data' } },
        { 'aws:principaltag/team': 'DATA' },
      ),
    ).toBe(true);
    expect(
      matches(
        { StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Data' } },
        { 'aws:principaltag/team': 'data' },
      ),
    ).toBe(false);
  });

  it('accepts Bool values given as strings or JSON booleans', () => {
    // Act & Assess
    expect(
      matches({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:securetransport': 'false' }),
    ).toBe(true);
    expect(
      matches({ Bool: { 'aws:SecureTransport': false } }, { 'aws:securetransport': 'false' }),
    ).toBe(true);
    expect(
      matches({ Bool: { 'aws:SecureTransport': false } }, { 'aws:securetransport': 'true' }),
    ).toBe(false);
    expect(matches({ Bool: { 'aws:SecureTransport': 'false' } }, {})).toBe(false);
    expect(matches({ BoolIfExists: { 'aws:SecureTransport': 'false' } }, {})).toBe(true);
  });

  it('tests key presence with Null', () => {
    // Act & Assess
    expect(matches({ Null: { 'aws:SourceVpce': 'true' } }, {})).toBe(true);
    expect(matches({ Null: { 'aws:SourceVpce': true } }, { 'aws:sourcevpce': VPCE })).toBe(false);
    expect(matches({ Null: { 'aws:SourceVpce': 'false' } }, { 'aws:sourcevpce': VPCE })).toBe(true);
  });

  describe('set operators', () => {
    it('ForAnyValue fails on a missing key, even for a negated operator', () => {
      // Act & Assess
      expect(matches({ 'ForAnyValue:StringNotEquals': { 'aws:SourceVpce': VPCE } }, {})).toBe(
        false,
      );
      expect(
        matches({ 'ForAnyValue:StringNotEqualsIfExists': { 'aws:SourceVpce': VPCE } }, {}),
      ).toBe(true);
      expect(
        matches(
          { 'ForAnyValue:StringNotEquals': { 'aws:SourceVpce': VPCE } },
          { 'aws:sourcevpce': OTHER },
        ),
      ).toBe(true);
    });

    it('ForAnyValue needs one request value to pass', () => {
      // Prepare
      const condition = { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env', 'team'] } };

      // Act & Assess
      expect(matches(condition, { 'aws:tagkeys': ['cost', 'team'] })).toBe(true);
      expect(matches(condition, { 'aws:tagkeys': ['cost'] })).toBe(false);
      expect(matches(condition, { 'aws:tagkeys': [] })).toBe(false);
    });

    it('ForAllValues needs every request value to pass and succeeds on a missing key', () => {
      // Prepare
      const condition = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } };

      // Act & Assess
      expect(matches(condition, { 'aws:tagkeys': ['env', 'team'] })).toBe(true);
      expect(matches(condition, { 'aws:tagkeys': ['env', 'cost'] })).toBe(false);
      expect(matches(condition, {})).toBe(true);
    });

    it('ForAllValues with a negated operator means no request value is in the list', () => {
      // Prepare
      const condition = { 'ForAllValues:StringNotEquals': { 'aws:SourceVpce': [VPCE] } };

      // Act & Assess
      expect(matches(condition, { 'aws:sourcevpce': OTHER })).toBe(true);
      expect(matches(condition, { 'aws:sourcevpce': VPCE })).toBe(false);
      expect(matches(condition, {})).toBe(true);
    });
  });

  it('leaves numbers and dates undecided on present keys, decided on absent ones', () => {
    // Prepare
    const [numeric] = conditionOf({ NumericLessThan: { 's3:TlsVersion': 1.2 } });
    const [ifExists] = conditionOf({ DateLessThanIfExists: { 'aws:CurrentTime': '2026-01-01' } });

    // Act & Assess: the analyser keeps no value space for them, so it never claims an answer.
    expect(numeric && holds(numeric, { 's3:tlsversion': '1.1' })).toBeUndefined();
    expect(numeric && holds(numeric, {})).toBe(false);
    expect(ifExists && holds(ifExists, {})).toBe(true);
  });

  it('leaves policy variables undecided under 2012-10-17 and reads them literally otherwise', () => {
    // Prepare
    const [entry] = conditionOf({ StringNotEquals: { 'aws:SourceVpce': '${aws:SourceVpce}' } });
    if (!entry) throw new Error('no entry');

    // Act & Assess
    expect(entryHolds(entry, [VPCE], true)).toBeUndefined();
    expect(entryHolds(entry, [VPCE], false)).toBe(true);
    expect(entryHolds(entry, ['${aws:SourceVpce}'], false)).toBe(false);
  });

  it('leaves Null with a value other than true or false undecided', () => {
    const [entry] = conditionOf({ Null: { 'aws:SourceVpce': 'vpce-0a*' } });
    expect(entry && holds(entry, {})).toBeUndefined();
  });

  it('matches IP addresses against CIDRs, v4 and v6', () => {
    // Act & Assess
    expect(
      matches(
        { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
        { 'aws:sourceip': '203.0.113.7' },
      ),
    ).toBe(true);
    expect(
      matches(
        { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } },
        { 'aws:sourceip': '2001:db8::1' },
      ),
    ).toBe(false);
    expect(
      matches(
        { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
        { 'aws:sourceip': '198.51.100.1' },
      ),
    ).toBe(true);
  });

  it('matches ARNs part by part with wildcards', () => {
    // Prepare
    const condition = {
      ArnLike: { 'aws:SourceVpcArn': 'arn:aws:ec2:*:111122223333:vpc/vpc-0a1b*' },
    };

    // Act & Assess
    expect(
      matches(condition, {
        'aws:sourcevpcarn': 'arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0a1b2c3d',
      }),
    ).toBe(true);
    expect(
      matches(condition, {
        'aws:sourcevpcarn': 'arn:aws:ec2:eu-west-1:444455556666:vpc/vpc-0a1b2c3d',
      }),
    ).toBe(false);
    expect(
      matches(
        { ArnNotEquals: { 'aws:SourceVpcArn': 'arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-1' } },
        {},
      ),
    ).toBe(true);
    expect(
      matches(
        { ArnEquals: { 'aws:SourceArn': 'arn:aws:ec2:eu-west-1:1:vpc/x' } },
        { 'aws:sourcearn': 'not-an-arn' },
      ),
    ).toBe(false);
  });

  it('leaves BinaryEquals undecided on a present key: it compares bytes with the base-64 decoded value', () => {
    // Prepare
    const [entry] = conditionOf({ BinaryEquals: { 'aws:SecureTransport': 'false' } });

    // Act & Assess
    expect(entry && holds(entry, { 'aws:securetransport': 'false' })).toBeUndefined();
    expect(entry && holds(entry, {})).toBe(false);
  });

  it('never decides an operator IAM does not define', () => {
    // Prepare
    const [entry] = conditionOf({ StringSortOf: { 'aws:SourceVpce': VPCE } });

    // Act & Assess
    expect(entry && holds(entry, {})).toBeUndefined();
    expect(entry && holds(entry, { 'aws:sourcevpce': OTHER })).toBeUndefined();
  });
});

describe('several entries', () => {
  it('ANDs every entry: one failing key stops the whole condition', () => {
    // Prepare
    const condition = {
      StringNotEquals: { 'aws:SourceVpce': VPCE, 'aws:PrincipalAccount': '111122223333' },
    };

    // Act & Assess
    expect(matches(condition, { 'aws:principalaccount': '444455556666' })).toBe(true);
    expect(matches(condition, { 'aws:principalaccount': '111122223333' })).toBe(false);
  });
});

describe('ipInCidr', () => {
  it('rejects malformed addresses and mixed families', () => {
    // Act & Assess
    expect(ipInCidr('10.0.0.1', '10.0.0.0/33')).toBe(false);
    expect(ipInCidr('10.0.0.256', '10.0.0.0/8')).toBe(false);
    expect(ipInCidr('::1', '10.0.0.0/8')).toBe(false);
    expect(ipInCidr('10.1.2.3', '10.1.2.3')).toBe(true);
    expect(ipInCidr('fe80::1:2', 'fe80::/10')).toBe(true);
    expect(ipInCidr('10.0.0.0/8', '10.0.0.0/8')).toBe(false);
  });

  it('understands IPv4-mapped IPv6 addresses and host bits in the block', () => {
    // Act & Assess
    expect(ipInCidr('::ffff:10.1.2.3', '::ffff:10.0.0.0/104')).toBe(true);
    expect(ipInCidr('10.1.2.3', '10.0.0.5/8')).toBe(true);
    expect(ipInCidr('11.1.2.3', '10.0.0.5/8')).toBe(false);
  });
});
