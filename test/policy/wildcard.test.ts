import { describe, expect, it } from 'vitest';
import {
  hasWildcard,
  wildcardCovers,
  wildcardMatch,
  wildcardOverlaps,
} from '../../src/policy/wildcard.js';

/** An IAM escape such as `${*}`, built so linters do not mistake it for a broken template. */
const iamEscape = (char: string): string => ['$', '{', char, '}'].join('');

describe('wildcard', () => {
  describe('wildcardMatch', () => {
    it.each([
      ['s3:*', 's3:GetObject', true],
      ['s3:Get*', 's3:GetObject', true],
      ['s3:Get*', 's3:PutObject', false],
      ['s3:GetObjec?', 's3:GetObject', true],
      ['s3:GetObjec?', 's3:GetObjects', false],
      ['*', '', true],
      ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b/c', true],
      ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket', false],
      ['a*b*c', 'aXXbYYc', true],
      ['a*b*c', 'aXXbYY', false],
    ])('matches %s against %s → %s', (pattern, value, expected) => {
      // Act
      const result = wildcardMatch(pattern, value);

      // Assess
      expect(result).toBe(expected);
    });

    it('compares case-sensitively unless told otherwise', () => {
      // Act & Assess
      expect(wildcardMatch('arn:aws:s3:::Bucket', 'arn:aws:s3:::bucket')).toBe(false);
      expect(wildcardMatch('S3:GETOBJECT', 's3:GetObject', { ignoreCase: true })).toBe(true);
    });

    it('treats the IAM escapes for *, ? and $ as literal characters', () => {
      // Act & Assess
      expect(wildcardMatch(`a${iamEscape('*')}b`, 'a*b')).toBe(true);
      expect(wildcardMatch(`a${iamEscape('*')}b`, 'aXb')).toBe(false);
      expect(wildcardMatch(`a${iamEscape('?')}`, 'a?')).toBe(true);
      expect(wildcardMatch(`${iamEscape('$')}x`, '$x')).toBe(true);
    });
  });

  describe('wildcardCovers', () => {
    it.each([
      ['*', 's3:*', true],
      ['s3:*', 's3:*', true],
      ['s3:Get*', 's3:*', false],
      ['s3:*', 's3:Get*', true],
      ['s?:*', 's3:*', true],
      ['arn:aws:s3:::b*', 'arn:aws:s3:::bucket/*', true],
      ['arn:aws:s3:::b*', 'arn:aws:s3:::bucket', true],
      ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket', false],
      ['arn:aws:s3:::bucket/prefix/*', 'arn:aws:s3:::bucket/*', false],
      ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/prefix/*', true],
      ['a?c', 'a*c', false],
      ['*a*', '*a*a*', true],
    ])('%s covers %s → %s', (outer, inner, expected) => {
      // Act
      const result = wildcardCovers(outer, inner);

      // Assess
      expect(result).toBe(expected);
    });

    it('covers actions without regard to case when asked', () => {
      // Act & Assess
      expect(wildcardCovers('S3:*', 's3:getobject', { ignoreCase: true })).toBe(true);
      expect(wildcardCovers('S3:*', 's3:getobject')).toBe(false);
    });
  });

  describe('wildcardOverlaps', () => {
    it.each([
      ['s3:Get*', 's3:*Object', true],
      ['s3:Get*', 's3:Put*', false],
      ['s3:GetObject', 's3:*', true],
      ['arn:aws:s3:::other/*', 'arn:aws:s3:::bucket/*', false],
      ['*', 'anything', true],
      ['a?', 'ab', true],
      ['a?', 'abc', false],
    ])('%s overlaps %s → %s', (first, second, expected) => {
      // Act & Assess
      expect(wildcardOverlaps(first, second)).toBe(expected);
      expect(wildcardOverlaps(second, first)).toBe(expected);
    });
  });

  describe('hasWildcard', () => {
    it('finds * and ? but not their escapes', () => {
      // Act & Assess
      expect(hasWildcard('vpce-*')).toBe(true);
      expect(hasWildcard('vpce-0a1b?')).toBe(true);
      expect(hasWildcard('vpce-0a1b2c3d4e5f67890')).toBe(false);
      expect(hasWildcard(`a${iamEscape('*')}`)).toBe(false);
    });
  });
});
