import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SuppressionsError } from '../../src/errors.js';
import {
  globMatches,
  loadSuppressions,
  parseSuppressions,
  SuppressionMatcher,
} from '../../src/report/suppressions.js';
import { loadSuppressionsFromBucket } from '../../src/report/suppressions-store.js';
import { RULES } from '../../src/rules/index.js';

const known = { knownRuleIds: RULES.map((rule) => rule.id) };

const YAML = `
- ruleId: s3-bucket-policy-vpce-only
  resource: public-assets-*
  account: 111122223333
  reason: Static website bucket served through CloudFront
  expires: 2026-12-31
  owner: security@example.com
- ruleId: '*'
  resource: vpc-0abc
  region: eu-west-1
  reason: Lab VPC, decommissioned in Q1
  expires: 2026-06-30T12:00:00Z
- ruleId: vpc-required-endpoints
  resource: vpc-never-seen
  reason: Kept for a migration
  expires: 2027-03-01
`;

describe('parseSuppressions', () => {
  it('reads YAML entries and keeps every field', () => {
    const entries = parseSuppressions(YAML, 'suppressions.yaml', known);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({
      ruleId: 's3-bucket-policy-vpce-only',
      resource: 'public-assets-*',
      account: '111122223333',
      owner: 'security@example.com',
      expires: '2026-12-31',
      index: 0,
    });
    // A date-only expiry includes the whole named day.
    expect(entries[0]?.expiresAt.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(entries[1]?.expiresAt.toISOString()).toBe('2026-06-30T12:00:00.000Z');
  });

  it('reads the same entries from JSON, list or { suppressions }', () => {
    const list = [
      {
        ruleId: 's3-bucket-policy-tls-only',
        resource: '*',
        reason: 'r',
        expires: '2026-01-01',
      },
    ];
    expect(parseSuppressions(JSON.stringify(list), 'a.json', known)).toHaveLength(1);
    expect(parseSuppressions(JSON.stringify({ suppressions: list }), 'a.json', known)).toHaveLength(
      1,
    );
  });

  it('restores the leading zeros YAML drops from an unquoted account id', () => {
    const [entry] = parseSuppressions(
      '- {ruleId: "*", resource: "*", account: 012345678901, reason: r, expires: 2026-01-01}',
      's.yaml',
    );
    expect(entry?.account).toBe('012345678901');
  });

  it('treats an empty file as no suppressions', () => {
    expect(parseSuppressions('', 's.yaml')).toEqual([]);
  });

  it('lists every problem of every entry at once', () => {
    const text = JSON.stringify([
      { ruleId: 's3-bucket-policy-vpce-only', resource: 'b', reason: 'r', expires: '2026-02-30' },
      { ruleId: 'vpce-guard-s3-bucket-policy-tls-only', resource: 'b', reason: 'r', expires: 'x' },
      { ruleId: 'vpc-required-endpoints', reason: '', expiry: '2026-01-01', account: '12' },
      'not an object',
    ]);
    let error: unknown;
    try {
      parseSuppressions(text, 'bad.json', known);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SuppressionsError);
    const problems = (error as SuppressionsError).problems.join('\n');
    expect(problems).toContain('entry 1 (s3-bucket-policy-vpce-only): "expires" must be a date');
    expect(problems).toContain('use the rule id "s3-bucket-policy-tls-only"');
    expect(problems).toContain('unknown field "expiry"');
    expect(problems).toContain('"resource" is required');
    expect(problems).toContain('"reason" must be a non-empty string');
    expect(problems).toContain('"expires" is required');
    expect(problems).toContain('"account" must be a 12-digit account id');
    expect(problems).toContain('entry 4: must be an object');
    expect((error as Error).message).toContain('bad.json has');
  });

  it('rejects a document that is not a list and unparseable text', () => {
    expect(() => parseSuppressions('{"ruleId": "x"}', 'a.json')).toThrow(SuppressionsError);
    expect(() => parseSuppressions('{', 'a.json')).toThrow(/not valid JSON/);
    expect(() => parseSuppressions('- [unclosed', 'a.yaml')).toThrow(/not valid YAML/);
  });

  it('refuses an expiry time without a zone', () => {
    expect(() =>
      parseSuppressions(
        '[{"ruleId":"*","resource":"*","reason":"r","expires":"2026-01-01T10:00:00"}]',
        'a.json',
      ),
    ).toThrow(/ISO 8601 time with a zone/);
  });
});

describe('loadSuppressions', () => {
  it('reads a file and names it in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suppressions-'));
    const path = join(dir, 'suppressions.yml');
    writeFileSync(path, YAML);
    await expect(loadSuppressions(path, known)).resolves.toHaveLength(3);
    await expect(loadSuppressions(join(dir, 'missing.yaml'))).rejects.toThrow(
      /cannot read suppressions file .*missing.yaml/,
    );
  });
});

describe('globMatches', () => {
  it('matches * across separators and ? as one character, everything else literally', () => {
    expect(globMatches('arn:aws:s3:::logs-*', 'arn:aws:s3:::logs-2026/a')).toBe(true);
    expect(globMatches('vpc-0?', 'vpc-01')).toBe(true);
    expect(globMatches('vpc-0?', 'vpc-012')).toBe(false);
    expect(globMatches('a.b', 'axb')).toBe(false);
    expect(globMatches('Bucket', 'bucket')).toBe(false);
  });
});

describe('SuppressionMatcher', () => {
  const entries = parseSuppressions(YAML, 'suppressions.yaml', known);

  it('suppresses matching evaluations until the expiry, then lists the entry as expired', () => {
    const before = new SuppressionMatcher(entries, new Date('2026-12-31T23:59:59Z'));
    expect(
      before.match({
        ruleId: 's3-bucket-policy-vpce-only',
        resourceId: 'public-assets-eu',
        accountId: '111122223333',
        region: 'us-east-1',
      }),
    ).toEqual({
      reason: 'Static website bucket served through CloudFront',
      expires: '2026-12-31',
      owner: 'security@example.com',
      entry: 0,
    });
    const after = new SuppressionMatcher(entries, new Date('2027-01-01T00:00:00Z'));
    expect(
      after.match({
        ruleId: 's3-bucket-policy-vpce-only',
        resourceId: 'public-assets-eu',
        accountId: '111122223333',
      }),
    ).toBeUndefined();
    const { expired } = after.usage();
    expect(expired.map((use) => [use.suppression.index, use.matched])).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('requires the account and region when the entry names them', () => {
    const matcher = new SuppressionMatcher(entries, new Date('2026-01-01T00:00:00Z'));
    const target = { ruleId: 's3-bucket-policy-vpce-only', resourceId: 'public-assets-eu' };
    expect(matcher.match({ ...target, accountId: '999999999999' })).toBeUndefined();
    // Unknown account: a scoped entry must not guess.
    expect(matcher.match(target)).toBeUndefined();
    expect(
      matcher.match({
        ruleId: 'vpc-required-endpoints',
        resourceId: 'vpc-0abc',
        region: 'eu-west-1',
      })?.entry,
    ).toBe(1);
    expect(
      matcher.match({
        ruleId: 'vpc-required-endpoints',
        resourceId: 'vpc-0abc',
        region: 'us-east-1',
      }),
    ).toBeUndefined();
  });

  it('lists active entries that matched nothing as unused', () => {
    const matcher = new SuppressionMatcher(entries, new Date('2026-01-01T00:00:00Z'));
    matcher.match({
      ruleId: 'vpc-required-endpoints',
      resourceId: 'vpc-0abc',
      region: 'eu-west-1',
    });
    const { unused, active, expired } = matcher.usage();
    expect(unused.map((use) => use.suppression.index)).toEqual([0, 2]);
    expect(active.map((use) => use.suppression.index)).toEqual([1]);
    expect(expired).toEqual([]);
  });
});

describe('loadSuppressionsFromBucket', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());
  // Only transformToString is read from the SDK stream.
  const body = (text: string) => ({ transformToString: async () => text }) as never;
  const missing = Object.assign(new Error('The specified key does not exist.'), {
    name: 'NoSuchKey',
  });

  it('reads the first suppressions file that exists', async () => {
    s3.on(GetObjectCommand).rejects(missing);
    s3.on(GetObjectCommand, { Key: 'suppressions.json' }).resolves({
      Body: body('[{"ruleId":"*","resource":"*","reason":"r","expires":"2030-01-01"}]'),
    });
    const loaded = await loadSuppressionsFromBucket(new S3Client({}), 'reports');
    expect(loaded.key).toBe('suppressions.json');
    expect(loaded.suppressions).toHaveLength(1);
  });

  it('returns no suppressions when no file exists, and fails on other errors', async () => {
    s3.on(GetObjectCommand).rejects(missing);
    await expect(loadSuppressionsFromBucket(new S3Client({}), 'reports')).resolves.toEqual({
      suppressions: [],
    });
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(loadSuppressionsFromBucket(new S3Client({}), 'reports')).rejects.toThrow(
      SuppressionsError,
    );
  });
});
