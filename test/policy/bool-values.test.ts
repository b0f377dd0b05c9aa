import { describe, expect, it } from 'vitest';
import { entryHolds } from '../../src/policy/condition.js';
import { parsePolicy } from '../../src/policy/document.js';
import { analyseFence, type Exemptions } from '../../src/policy/fence.js';
import { ACCOUNT, DEFAULTS } from './fences.js';

/*
 * Bool and Null values. AWS documents them as true or false: "Quotation marks are optional for
 * numeric and Boolean values" (IAM JSON policy grammar), Null takes "true (the key doesn't exist
 * — it is null) or false (the key exists and its value is not null)" (condition operators
 * reference). Neither page gives a case rule or another spelling, so "FALSE" or "True" is
 * undecided: the analyser cannot show that a Deny on it applies.
 */

const tlsFence = (condition: Record<string, unknown>, exemptions: Exemptions = DEFAULTS) =>
  analyseFence(
    parsePolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: ['arn:aws:s3:::examplebucket', 'arn:aws:s3:::examplebucket/*'],
            Condition: condition,
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
    { kind: 'tls' },
    exemptions,
  );

const entryOf = (condition: Record<string, unknown>) =>
  parsePolicy({
    Statement: { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: condition },
  }).statements[0]?.conditions[0];

describe('Bool and Null values other than true/false are undecided', () => {
  it.each(['FALSE', 'False', '0', 'false '])(
    'does not credit a Deny on Bool aws:SecureTransport %j with plain HTTP (was COMPLIANT for FALSE)',
    (value) => {
      // Act
      const result = tlsFence({ Bool: { 'aws:SecureTransport': value } });

      // Assess
      expect(result.compliant).toBe(false);
      expect(result.escapes[0]?.misses.map((m) => m.kind)).toEqual(['undecided']);
    },
  );

  it.each([['false'], [false], [['false']]])(
    'credits Bool aws:SecureTransport %j: a string, a JSON boolean or a list of one',
    (value) => {
      expect(tlsFence({ Bool: { 'aws:SecureTransport': value } }).compliant).toBe(true);
    },
  );

  it('leaves Null "TRUE" undecided, while Null true and "true" test absence', () => {
    // Act & Assess
    for (const value of ['TRUE', 'True']) {
      const entry = entryOf({ Null: { 'aws:SourceVpce': value } });
      expect(entry && entryHolds(entry, null, true)).toBeUndefined();
    }
    for (const value of ['true', true]) {
      const entry = entryOf({ Null: { 'aws:SourceVpce': value } });
      expect(entry && entryHolds(entry, null, true)).toBe(true);
      expect(entry && entryHolds(entry, ['vpce-0a1b2c3d4e5f67890'], true)).toBe(false);
    }
  });

  it('still reads exemptions given as "TRUE" (validated case-insensitively) as true', () => {
    // Prepare: the carve-out spares AWS services acting for a caller, exempted as "TRUE".
    const condition = {
      Bool: { 'aws:SecureTransport': 'false' },
      BoolIfExists: { 'aws:ViaAWSService': 'false' },
    };

    // Act
    const result = tlsFence(condition, { 'aws:ViaAWSService': ['TRUE'] });

    // Assess
    expect(result.compliant).toBe(true);
  });
});

/*
 * "The condition operator that you can use in a policy depends on the condition key you choose"
 * (IAM condition operators reference); aws:SecureTransport and aws:PrincipalIsAWSService are
 * Boolean keys. What a string operator does with one is not documented: undecided.
 */
describe('string operators on Boolean keys are undecided', () => {
  it.each([
    [{ StringEquals: { 'aws:SecureTransport': 'false' } }],
    [{ StringNotEquals: { 'aws:SecureTransport': 'true' } }],
    [{ StringLike: { 'aws:SecureTransport': 'f*' } }],
  ])('does not credit a Deny on %j with plain HTTP (was COMPLIANT)', (condition) => {
    // Act
    const result = tlsFence(condition);

    // Assess
    expect(result.compliant).toBe(false);
    expect(result.escapes[0]?.misses.map((m) => m.kind)).toEqual(['undecided']);
    expect(result.undecided.join(' ')).toMatch(/Boolean key/);
  });

  it('does not take StringNotEquals aws:PrincipalIsAWSService "true" for a carve-out of AWS services only (was COMPLIANT)', () => {
    // Act
    const result = tlsFence({
      Bool: { 'aws:SecureTransport': 'false' },
      StringNotEquals: { 'aws:PrincipalIsAWSService': 'true' },
    });

    // Assess
    expect(result.compliant).toBe(false);
    expect(
      tlsFence({
        Bool: { 'aws:SecureTransport': 'false' },
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
      }).compliant,
    ).toBe(true);
  });
});

describe('Bool on a key that is not Boolean is undecided', () => {
  it('does not credit a Deny on Bool aws:SecureTransport plus Bool aws:SourceVpce', () => {
    // Prepare: the second entry would never hold if Bool compared the id as text.
    const both = { Bool: { 'aws:SecureTransport': 'false', 'aws:SourceVpce': 'false' } };

    // Act
    const result = tlsFence(both);

    // Assess
    expect(result.compliant).toBe(false);
    expect(result.undecided.join(' ')).toMatch(/not Boolean/);
  });
});
