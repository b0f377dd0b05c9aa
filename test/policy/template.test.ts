import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/policy/template-tokens.js';

describe('policy text templates: tokenize', () => {
  it('cuts out Sids, identifiers and bucket names, places each in its statement, and stands a valid Allow as one mark', () => {
    // Prepare
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowApp865',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:role/app-3d0dfd' },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::acme-data/*',
        },
        {
          Sid: 'DenyOutside',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::acme-data', 'arn:aws:s3:::acme-data/*'],
          Condition: { StringNotEquals: { 'aws:SourceVpce': ['vpce-0a1b2c3d4e5f67890'] } },
        },
      ],
    });

    // Act
    const { slots, statements, statementKeys, skeleton } = tokenize(text);

    // Assess
    expect(statements).toBe(2);
    expect(statementKeys).toBe(1);
    expect(slots.map((s) => [s.kind, s.value, s.statement])).toEqual([
      ['value', '2012-10-17', -1],
      ['sid', 'DenyOutside', 1],
      ['bucket', 'acme-data', 1],
      ['bucket', 'acme-data', 1],
      ['value', 'vpce-0a1b2c3d4e5f67890', 1],
    ]);
    expect(skeleton).not.toContain('acme-data');
    expect(skeleton).not.toContain('"Effect":"Allow"');
    expect(skeleton).toContain('[\u0003,{');
  });

  it('keeps an Allow the policy parser refuses in the skeleton, cut like any statement', () => {
    // Prepare: an empty Action list makes the whole policy fail to parse.
    const allow = (action: string) =>
      `{"Sid":"AllowApp865","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app-3d0dfd"},"Action":${action},"Resource":"arn:aws:s3:::acme-data/*"}`;
    const deny =
      '{"Sid":"DenyOutside","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}';

    // Act
    const refused = tokenize(`{"Statement":[${allow('[]')},${deny}]}`);
    const valid = tokenize(`{"Statement":[${allow('"s3:GetObject"')},${deny}]}`);
    const other = tokenize(`{"Statement":[${allow('["s3:PutObject","s3:GetObject"]')},${deny}]}`);

    // Assess: valid Allows of any content share a skeleton; the refused one has its own.
    expect(refused.skeleton).toContain('"Effect":"Allow"');
    expect(refused.slots.map((s) => [s.kind, s.statement])).toEqual([
      ['sid', 0],
      ['name', 0],
      ['bucket', 0],
      ['sid', 1],
    ]);
    expect(valid.skeleton).toBe(other.skeleton);
    expect(refused.skeleton).not.toBe(valid.skeleton);
    expect(refused.statements).toBe(2);
    expect(valid.statements).toBe(2);
  });

  it('reads a single statement object, and counts every Statement key of the root', () => {
    // Act
    const single = tokenize(
      '{"Statement":{"Sid":"S12345","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}',
    );
    const twice = tokenize('{"Statement":[{"Sid":"A1"}],"Statement":[{"Sid":"B22222"}]}');

    // Assess
    expect(single.statements).toBe(1);
    expect(single.slots.map((s) => [s.kind, s.statement])).toEqual([['sid', 0]]);
    expect(twice.statementKeys).toBe(2);
  });

  it('never templates a text with an escape or a raw control character', () => {
    // Act
    const escaped = tokenize(
      '{"Statement":[{"Resource":"arn:aws:s3:::acme\\/x","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-\\u0030a1b2c3d"}}}]}',
    );
    const tab = tokenize('{"Statement":[{"Sid":"Deny\tOutside","Effect":"Deny"}]}');
    const pretty = tokenize('{\n\t"Statement": [\r\n  {"Sid": "DenyOutside", "Effect": "Deny"}]}');

    // Assess: slots are cut only from texts whose strings are exactly what they spell.
    expect(escaped.plain).toBe(false);
    expect(escaped.slots).toEqual([]);
    expect(tab.plain).toBe(false);
    expect(pretty.plain).toBe(true);
    expect(pretty.slots.map((s) => [s.kind, s.value])).toEqual([['sid', 'DenyOutside']]);
  });

  it('reads a valid Allow only for its acceptance: numbers in it leave the text templated', () => {
    // Prepare: a grant with a bare number; the same grant with a string where a list must be.
    const allow = (max: string) =>
      `{"Sid":"Grant1","Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThanEquals":{"s3:max-keys":${max}}}}`;
    const deny = '{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}';

    // Act
    const counted = tokenize(`{"Statement":[${allow('10')},${deny}]}`);
    const other = tokenize(`{"Statement":[${allow('20')},${deny}]}`);
    const refused = tokenize(`{"Statement":[${allow('{}')},${deny}]}`);

    // Assess
    expect(counted.plain).toBe(true);
    expect(counted.skeleton).toBe(other.skeleton);
    expect(refused.skeleton).toContain('"Effect":"Allow"');
  });
});
