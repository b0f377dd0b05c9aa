import { describe, expect, it } from 'vitest';
import { type MatchSet, parsePolicy } from '../../src/policy/document.js';
import {
  appliesToEveryone,
  matchSetCovers,
  matchSetOverlaps,
  principalAccount,
  uncoveredBy,
} from '../../src/policy/statement.js';

const only = (...patterns: string[]): MatchSet => ({ kind: 'only', patterns });
const except = (...patterns: string[]): MatchSet => ({ kind: 'except', patterns });

describe('matchSetCovers', () => {
  it('treats s3:* and * as all S3 actions, and s3:Get* as not', () => {
    // Act & Assess
    expect(matchSetCovers(only('s3:*'), 's3:*', 'action')).toBe(true);
    expect(matchSetCovers(only('*'), 's3:*', 'action')).toBe(true);
    expect(matchSetCovers(only('S3:*'), 's3:*', 'action')).toBe(true);
    expect(matchSetCovers(only('s3:Get*', 's3:Put*'), 's3:*', 'action')).toBe(false);
  });

  it('reasons about NotAction: covers what no excluded pattern touches', () => {
    // Act & Assess
    expect(matchSetCovers(except('s3:GetObject'), 's3:*', 'action')).toBe(false);
    expect(matchSetCovers(except('ec2:*'), 's3:*', 'action')).toBe(true);
  });

  it('matches resource wildcards in both directions, case-sensitively', () => {
    // Act & Assess
    expect(matchSetCovers(only('arn:aws:s3:::b*'), 'arn:aws:s3:::bucket/*', 'resource')).toBe(true);
    expect(matchSetCovers(only('arn:aws:s3:::bucket/*'), 'arn:aws:s3:::bucket', 'resource')).toBe(
      false,
    );
    expect(matchSetCovers(only('arn:aws:s3:::BUCKET/*'), 'arn:aws:s3:::bucket/*', 'resource')).toBe(
      false,
    );
    expect(
      matchSetCovers(except('arn:aws:s3:::other/*'), 'arn:aws:s3:::bucket/*', 'resource'),
    ).toBe(true);
    expect(
      matchSetCovers(except('arn:aws:s3:::bucket/public/*'), 'arn:aws:s3:::bucket/*', 'resource'),
    ).toBe(false);
  });
});

describe('matchSetOverlaps', () => {
  it('finds shared values for Action and NotAction sets', () => {
    // Act & Assess
    expect(matchSetOverlaps(only('s3:GetObject'), 's3:*', 'action')).toBe(true);
    expect(matchSetOverlaps(only('ec2:*'), 's3:*', 'action')).toBe(false);
    expect(matchSetOverlaps(except('s3:*'), 's3:*', 'action')).toBe(false);
    expect(matchSetOverlaps(except('s3:GetObject'), 's3:*', 'action')).toBe(true);
  });
});

describe('uncoveredBy', () => {
  it('returns nothing when split Action lists include s3:*', () => {
    // Act & Assess
    expect(uncoveredBy([only('s3:GetObject'), only('s3:*')], 's3:*', 'action')).toEqual([]);
  });

  it('names the whole target when only some actions are listed', () => {
    // Act & Assess
    expect(uncoveredBy([only('s3:Get*'), only('s3:Put*')], 's3:*', 'action')).toEqual(['s3:*']);
  });

  it('names the NotAction patterns that no other statement covers', () => {
    // Act & Assess
    expect(uncoveredBy([except('s3:GetObject', 's3:PutObject')], 's3:*', 'action')).toEqual([
      's3:GetObject',
      's3:PutObject',
    ]);
    expect(
      uncoveredBy([except('s3:GetObject', 's3:PutObject'), only('s3:Get*')], 's3:*', 'action'),
    ).toEqual(['s3:PutObject']);
  });

  it('lets two NotAction lists with nothing in common cover everything together', () => {
    // Act & Assess
    expect(uncoveredBy([except('s3:GetObject'), except('s3:PutObject')], 's3:*', 'action')).toEqual(
      [],
    );
  });
});

describe('principalAccount', () => {
  it('reads the account of ids, root, role and assumed-role ARNs', () => {
    // Act & Assess
    expect(principalAccount({ type: 'AWS', value: '111122223333' })).toBe('111122223333');
    expect(principalAccount({ type: 'AWS', value: 'arn:aws:iam::111122223333:root' })).toBe(
      '111122223333',
    );
    expect(
      principalAccount({ type: 'AWS', value: 'arn:aws:sts::444455556666:assumed-role/r/s' }),
    ).toBe('444455556666');
    expect(principalAccount({ type: 'Service', value: 's3.amazonaws.com' })).toBeUndefined();
  });
});

describe('appliesToEveryone', () => {
  it('is true only for "*" and {"AWS": "*"}', () => {
    // Prepare
    const policy = parsePolicy({
      Statement: [
        { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: '*' }, Action: '*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: '111122223333' }, Action: '*', Resource: '*' },
        { Effect: 'Deny', NotPrincipal: { AWS: '111122223333' }, Action: '*', Resource: '*' },
      ],
    });

    // Act
    const result = policy.statements.map(appliesToEveryone);

    // Assess
    expect(result).toEqual([true, true, false, false]);
  });
});
