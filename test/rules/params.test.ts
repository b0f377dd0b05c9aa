import { describe, expect, it } from 'vitest';
import { InvalidParametersError } from '../../src/errors.js';
import { parseParams, parseRuleParametersJson } from '../../src/rules/params.js';

const schema = {
  services: { type: 'list', description: 'services', default: ['s3'], pattern: /^[a-z0-9]+$/ },
  ports: {
    type: 'list',
    description: 'ports',
    validate: (item: string) => (Number(item) <= 65535 ? undefined : 'beyond 65535'),
  },
  tagKey: { type: 'string', description: 'key' },
  tagValue: { type: 'string', description: 'value', requires: 'tagKey' },
  strict: { type: 'boolean', description: 'flag', default: false },
} as const;

describe('parseParams', () => {
  it('applies defaults when AWS Config sends nothing or empty strings', () => {
    expect(parseParams('r', schema, undefined)).toEqual({
      services: ['s3'],
      ports: [],
      tagKey: undefined,
      tagValue: undefined,
      strict: false,
    });
    expect(parseParams('r', schema, { services: '', tagKey: '' })).toMatchObject({
      services: ['s3'],
      tagKey: undefined,
    });
  });

  it('reads comma-separated strings (Config) and JSON lists (CLI) alike, trimming blanks', () => {
    expect(parseParams('r', schema, { services: ' s3, dynamodb ,,' }).services).toEqual([
      's3',
      'dynamodb',
    ]);
    expect(parseParams('r', schema, { services: ['s3', 'sts'] }).services).toEqual(['s3', 'sts']);
  });

  it('reads booleans from strings in any case', () => {
    expect(parseParams('r', schema, { strict: 'TRUE' }).strict).toBe(true);
    expect(parseParams('r', schema, { strict: false }).strict).toBe(false);
    expect(() => parseParams('r', schema, { strict: 'yes' })).toThrow(
      /strict must be "true" or "false"/,
    );
  });

  it.each([
    [
      'an unknown name (a typo would silently widen scope)',
      { service: 's3' },
      /unknown parameter\(s\) service; this rule accepts services, ports/,
    ],
    ['a value failing the pattern', { services: 's3,S3!' }, /services has invalid value\(s\): S3!/],
    ['a value failing its check', { ports: '443,70000' }, /ports value 70000: beyond 65535/],
    [
      'a dependent parameter without the one it needs',
      { tagValue: 'pci' },
      /tagValue needs tagKey/,
    ],
    ['a list of non-strings', { services: [1] }, /services must be a list of strings/],
    ['a string parameter given a number', { tagKey: 3 }, /tagKey must be a string/],
  ])('rejects %s with InvalidParametersError naming the rule', (_case, raw, message) => {
    expect(() => parseParams('my-rule', schema, raw)).toThrow(InvalidParametersError);
    expect(() => parseParams('my-rule', schema, raw)).toThrow(message);
    expect(() => parseParams('my-rule', schema, raw)).toThrow(
      /Invalid parameters for rule my-rule/,
    );
  });

  it('accepts a dependent parameter together with the one it needs', () => {
    expect(parseParams('r', schema, { tagKey: 'DataClass', tagValue: 'pci' })).toMatchObject({
      tagKey: 'DataClass',
      tagValue: 'pci',
    });
  });
});

describe('object parameters', () => {
  const objectSchema = {
    exemptions: {
      type: 'object',
      description: 'key to values',
      validate: (value: Record<string, string[]>) =>
        'bad:key' in value ? 'bad:key is not allowed' : undefined,
    },
  } as const;

  it('reads a JSON object (--params) and its JSON text (InputParameters) alike', () => {
    const value = { 'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/BreakGlass'] };
    expect(parseParams('r', objectSchema, { exemptions: value }).exemptions).toEqual(value);
    expect(
      parseParams('r', objectSchema, { exemptions: JSON.stringify(value) }).exemptions,
    ).toEqual(value);
  });

  it('takes a single string value as a one-item list, and unset as undefined', () => {
    expect(
      parseParams('r', objectSchema, { exemptions: { 'aws:ViaAWSService': 'true' } }).exemptions,
    ).toEqual({
      'aws:ViaAWSService': ['true'],
    });
    expect(parseParams('r', objectSchema, {}).exemptions).toBeUndefined();
    expect(parseParams('r', objectSchema, { exemptions: '' }).exemptions).toBeUndefined();
  });

  it.each([
    ['text that is not JSON', '{"a":'],
    ['a JSON list', '["aws:PrincipalArn"]'],
    ['a list value with a number', { k: [1] }],
    ['an empty list', { k: [] }],
    ['a value the schema rejects', { 'bad:key': ['x'] }],
  ])('rejects %s', (_case, exemptions) => {
    expect(() => parseParams('r', objectSchema, { exemptions })).toThrow(InvalidParametersError);
  });

  it('names the replacement of a renamed parameter', () => {
    expect(() =>
      parseParams('r', objectSchema, { exemptionConditionKeys: 'aws:PrincipalArn' }),
    ).toThrow(/exemptionConditionKeys was replaced by exemptions/);
  });
});

describe('parseRuleParametersJson', () => {
  it('treats a missing or blank ruleParameters as no parameters', () => {
    expect(parseRuleParametersJson('r', undefined)).toEqual({});
    expect(parseRuleParametersJson('r', '  ')).toEqual({});
  });

  it.each([
    ['not JSON', '{oops', /not valid JSON/],
    ['not an object', '[1,2]', /must be a JSON object/],
  ])('rejects ruleParameters that are %s', (_case, json, message) => {
    expect(() => parseRuleParametersJson('r', json)).toThrow(message);
  });
});
