import { describe, expect, it } from 'vitest';
import { PolicyParseError } from '../../src/errors.js';
import { duplicateKeyError, parsePolicy, statementLabel } from '../../src/policy/document.js';

const statementOf = (statement: Record<string, unknown>) =>
  parsePolicy({ Version: '2012-10-17', Statement: [statement] }).statements[0];

describe('parsePolicy', () => {
  it('accepts a single statement object as well as a list', () => {
    // Prepare
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' },
    });

    // Act
    const policy = parsePolicy(text);

    // Assess
    expect(policy.version).toBe('2012-10-17');
    expect(policy.statements).toHaveLength(1);
    expect(policy.statements[0]?.actions).toEqual({ kind: 'only', patterns: ['s3:GetObject'] });
  });

  it('parses the pretty-printed AWS default endpoint policy', () => {
    // Prepare
    const text =
      '{\n  "Statement": [\n    {\n      "Action": "*",\n      "Effect": "Allow",\n      "Principal": "*",\n      "Resource": "*"\n    }\n  ]\n}';

    // Act
    const policy = parsePolicy(text);

    // Assess
    expect(policy.version).toBeUndefined();
    expect(policy.statements[0]?.principal).toEqual({ kind: 'everyone' });
  });

  it.each([
    ['"*"', '*'],
    ['{"AWS":"*"}', { AWS: '*' }],
    [
      '{"AWS":["arn:aws:iam::111122223333:root","*"]}',
      { AWS: ['arn:aws:iam::111122223333:root', '*'] },
    ],
  ])('reads principal %s as everyone', (_label, principal) => {
    // Act
    const statement = statementOf({
      Effect: 'Deny',
      Principal: principal,
      Action: '*',
      Resource: '*',
    });

    // Assess
    expect(statement?.principal).toEqual({ kind: 'everyone' });
  });

  it('keeps named principals of every type, accounts included', () => {
    // Act
    const statement = statementOf({
      Effect: 'Allow',
      Principal: {
        AWS: ['111122223333', 'arn:aws:iam::444455556666:role/app'],
        Service: 'cloudtrail.amazonaws.com',
        Federated: 'cognito-identity.amazonaws.com',
      },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::bucket/*',
    });

    // Assess
    expect(statement?.principal).toEqual({
      kind: 'only',
      principals: [
        { type: 'AWS', value: '111122223333' },
        { type: 'AWS', value: 'arn:aws:iam::444455556666:role/app' },
        { type: 'Service', value: 'cloudtrail.amazonaws.com' },
        { type: 'Federated', value: 'cognito-identity.amazonaws.com' },
      ],
    });
  });

  it('reads NotPrincipal, NotAction and NotResource as exclusions', () => {
    // Act
    const statement = statementOf({
      Effect: 'Deny',
      NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/admin' },
      NotAction: ['s3:GetObject'],
      NotResource: 'arn:aws:s3:::bucket/public/*',
    });

    // Assess
    expect(statement?.principal).toEqual({
      kind: 'not',
      principals: [{ type: 'AWS', value: 'arn:aws:iam::111122223333:role/admin' }],
    });
    expect(statement?.actions).toEqual({ kind: 'except', patterns: ['s3:GetObject'] });
    expect(statement?.resources).toEqual({
      kind: 'except',
      patterns: ['arn:aws:s3:::bucket/public/*'],
    });
  });

  it('splits condition operators into qualifier, base and IfExists, with string values', () => {
    // Act
    const statement = statementOf({
      Effect: 'Deny',
      Principal: '*',
      Action: '*',
      Resource: '*',
      Condition: {
        'ForAllValues:StringNotEqualsIfExists': { 'aws:sourceVpce': ['vpce-1', 'vpce-2'] },
        Bool: { 'aws:SecureTransport': false },
        NumericLessThan: { 's3:TlsVersion': 1.2 },
      },
    });

    // Assess
    expect(statement?.conditions).toEqual([
      {
        operator: 'ForAllValues:StringNotEqualsIfExists',
        base: 'StringNotEquals',
        qualifier: 'ForAllValues',
        ifExists: true,
        key: 'aws:sourceVpce',
        keyLower: 'aws:sourcevpce',
        values: ['vpce-1', 'vpce-2'],
      },
      {
        operator: 'Bool',
        base: 'Bool',
        qualifier: undefined,
        ifExists: false,
        key: 'aws:SecureTransport',
        keyLower: 'aws:securetransport',
        values: ['false'],
      },
      {
        operator: 'NumericLessThan',
        base: 'NumericLessThan',
        qualifier: undefined,
        ifExists: false,
        key: 's3:TlsVersion',
        keyLower: 's3:tlsversion',
        values: ['1.2'],
      },
    ]);
  });

  it('keeps an unknown operator with no base so it never matches', () => {
    // Act
    const statement = statementOf({
      Effect: 'Deny',
      Principal: '*',
      Action: '*',
      Resource: '*',
      Condition: { StringSortOf: { 'aws:SourceVpce': 'vpce-1' } },
    });

    // Assess
    expect(statement?.conditions[0]?.base).toBeUndefined();
  });

  it.each([
    ['text that is not JSON', '{"Statement": [', 'not valid JSON'],
    ['an empty string', '  ', 'empty'],
    ['a JSON array', '[]', 'expected a JSON object'],
    ['a document without Statement', '{"Version":"2012-10-17"}', 'no Statement'],
    [
      'a bad Effect',
      { Statement: [{ Effect: 'Permit', Action: '*', Resource: '*' }] },
      'Statement[0].Effect',
    ],
    [
      'Action and NotAction together',
      {
        Statement: {
          Effect: 'Deny',
          Principal: '*',
          Action: '*',
          NotAction: 's3:*',
          Resource: '*',
        },
      },
      'both Action and NotAction',
    ],
    [
      'no Resource',
      { Statement: { Effect: 'Deny', Principal: '*', Action: '*' } },
      'neither Resource nor NotResource',
    ],
    [
      'a numeric Action',
      { Statement: [{ Effect: 'Deny', Principal: '*', Action: [1], Resource: '*' }] },
      'Statement[0].Action[0]',
    ],
    [
      'an empty Action list',
      { Statement: [{ Effect: 'Deny', Principal: '*', Action: [], Resource: '*' }] },
      'empty list',
    ],
    [
      'a string Condition',
      {
        Statement: [{ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: 'x' }],
      },
      'Statement[0].Condition',
    ],
    [
      'an object condition value',
      {
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: '*',
            Resource: '*',
            Condition: { StringEquals: { k: { a: 1 } } },
          },
        ],
      },
      'condition values',
    ],
    [
      'an unknown principal type',
      { Statement: [{ Effect: 'Deny', Principal: { User: 'x' }, Action: '*', Resource: '*' }] },
      'unknown principal type',
    ],
    [
      'a bad set prefix',
      {
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: '*',
            Resource: '*',
            Condition: { 'ForSome:StringEquals': { k: 'v' } },
          },
        ],
      },
      'set operator prefix',
    ],
  ])('throws PolicyParseError for %s', (_label, input, message) => {
    // Act
    const act = () => parsePolicy(input);

    // Assess
    expect(act).toThrow(PolicyParseError);
    expect(act).toThrow(message);
  });

  it.each([
    [
      'a Condition operator',
      '{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/Admin"},"StringNotEquals":{"aws:SourceVpce":"vpce-0a1b2c3d4e5f67890"}}}]}',
      'StringNotEquals',
      'Statement[0].Condition',
    ],
    [
      'an Effect',
      '{"Statement":{"Effect":"Allow","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}',
      'Effect',
      'Statement',
    ],
    [
      'a condition key, once spelled with an escape',
      '{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"Null":{"aws:SourceVpce":"true","aws:Source\\u0056pce":"false"}}}]}',
      'aws:SourceVpce',
      'Statement[1].Condition.Null',
    ],
  ])(
    'throws PolicyParseError for a key repeated outside an Allow (%s): AWS documents no reading of it',
    (_label, text, key, path) => {
      // Act
      let caught: unknown;
      try {
        parsePolicy(text);
      } catch (error) {
        caught = error;
      }

      // Assess
      expect(caught).toBeInstanceOf(PolicyParseError);
      expect((caught as PolicyParseError).message).toContain(`"${key}" twice`);
      expect((caught as PolicyParseError).path).toBe(path);
    },
  );

  it('parses a key repeated inside an Allow as JSON.parse does (the last one) and still names it', () => {
    // Prepare: a bucket fence never counts an Allow; any other reading of it only denies more.
    const text =
      '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"},"StringEquals":{"aws:ResourceAccount":"111122223333"}}}]}';

    // Act
    const policy = parsePolicy(text);

    // Assess
    expect(policy.statements[0]?.effect).toBe('Allow');
    expect(duplicateKeyError(policy)?.message).toContain('"StringEquals" twice');
    expect(duplicateKeyError(policy)?.path).toBe('Statement[0].Condition');
    expect(duplicateKeyError(parsePolicy(text.replace('},"StringEquals":{', ',')))).toBeUndefined();
  });

  it('accepts a repeated Sid, which names a statement and decides nothing', () => {
    // Act
    const policy = parsePolicy(
      '{"Statement":{"Sid":"A","Sid":"B","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}',
    );

    // Assess
    expect(policy.statements[0]?.sid).toBe('B');
    expect(duplicateKeyError(policy)).toBeUndefined();
  });

  it('names no duplicate for equal keys in different objects or keys that equal string values', () => {
    // Prepare
    const text =
      '{"Statement":[{"Sid":"Effect","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0a1b2c3d4e5f67890"}}},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"a\\"Effect\\":,{["}}}]}';

    // Act
    const policy = parsePolicy(text);

    // Assess
    expect(policy.statements).toHaveLength(2);
    expect(duplicateKeyError(policy)).toBeUndefined();
    expect(
      duplicateKeyError(
        parsePolicy({ Statement: { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' } }),
      ),
    ).toBeUndefined();
  });

  it('keeps the JSON error as the cause', () => {
    // Act
    let caught: unknown;
    try {
      parsePolicy('{oops');
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(PolicyParseError);
    expect((caught as Error).cause).toBeInstanceOf(SyntaxError);
  });
});

describe('statementLabel', () => {
  it('names a statement by Sid, or by its 1-based position', () => {
    // Prepare
    const policy = parsePolicy({
      Statement: [
        { Sid: 'DenyOutsideVpce', Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' },
        { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' },
      ],
    });

    // Act
    const labels = policy.statements.map(statementLabel);

    // Assess
    expect(labels).toEqual(['statement "DenyOutsideVpce"', 'statement #2']);
  });
});
