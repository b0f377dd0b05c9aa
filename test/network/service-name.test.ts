import { describe, expect, it } from 'vitest';
import {
  expectedServiceName,
  isFullServiceName,
  matchesService,
  parseServiceName,
  regionFromServiceNames,
} from '../../src/network/service-name.js';

describe('parseServiceName', () => {
  it.each([
    ['com.amazonaws.us-east-1.s3', { origin: 'aws', region: 'us-east-1', service: 's3' }],
    ['com.amazonaws.eu-west-1.ecr.dkr', { origin: 'aws', region: 'eu-west-1', service: 'ecr.dkr' }],
    [
      'cn.com.amazonaws.cn-north-1.ecr.api',
      { origin: 'aws', region: 'cn-north-1', service: 'ecr.api' },
    ],
    ['com.amazonaws.us-gov-west-1.sts', { origin: 'aws', region: 'us-gov-west-1', service: 'sts' }],
    [
      'aws.sagemaker.us-east-1.notebook',
      { origin: 'aws', region: 'us-east-1', service: 'sagemaker.notebook' },
    ],
    ['com.amazonaws.s3-global.accesspoint', { origin: 'aws', service: 's3-global.accesspoint' }],
    ['com.amazonaws.iam', { origin: 'aws', service: 'iam' }],
    ['com.amazonaws.route53', { origin: 'aws', service: 'route53' }],
    [
      'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
      { origin: 'customer', region: 'us-east-1' },
    ],
    ['example.com.partner', { origin: 'unknown' }],
  ])('reads %s', (name, expected) => {
    // Act & Assess
    expect(parseServiceName(name)).toMatchObject(expected);
  });
});

describe('matchesService', () => {
  it('matches a short name in any region and partition', () => {
    // Act & Assess
    expect(matchesService('com.amazonaws.us-east-1.s3', 's3')).toBe(true);
    expect(matchesService('cn.com.amazonaws.cn-north-1.s3', 's3')).toBe(true);
    expect(matchesService('com.amazonaws.us-east-1.dynamodb', 's3')).toBe(false);
  });

  it('does not match a suffix of a longer service name', () => {
    // Act & Assess
    expect(matchesService('com.amazonaws.us-east-1.ecr.api', 'api')).toBe(false);
    expect(matchesService('com.amazonaws.s3-global.accesspoint', 's3')).toBe(false);
  });

  it('requires a full name to match exactly, ignoring case', () => {
    // Act & Assess
    expect(matchesService('com.amazonaws.us-east-1.s3', 'COM.AMAZONAWS.US-EAST-1.S3')).toBe(true);
    expect(matchesService('com.amazonaws.us-west-2.s3', 'com.amazonaws.us-east-1.s3')).toBe(false);
  });

  it('never matches a customer service by short name', () => {
    // Act & Assess
    expect(matchesService('com.amazonaws.vpce.us-east-1.vpce-svc-0abc', 'vpce-svc-0abc')).toBe(
      false,
    );
  });
});

describe('isFullServiceName', () => {
  it('tells full names from short ones', () => {
    // Act & Assess
    expect(isFullServiceName('com.amazonaws.us-east-1.s3')).toBe(true);
    expect(isFullServiceName('aws.sagemaker.us-east-1.studio')).toBe(true);
    expect(isFullServiceName('ecr.dkr')).toBe(false);
  });
});

describe('regionFromServiceNames', () => {
  it('takes the first region an AWS service name carries', () => {
    // Act & Assess
    expect(
      regionFromServiceNames([
        'com.amazonaws.vpce.eu-west-1.vpce-svc-0abc',
        'com.amazonaws.s3-global.accesspoint',
        'com.amazonaws.eu-central-1.s3',
      ]),
    ).toBe('eu-central-1');
    expect(regionFromServiceNames([])).toBeUndefined();
  });
});

describe('expectedServiceName', () => {
  it('builds the name from the region, following the cn. style of sibling endpoints', () => {
    // Act & Assess
    expect(expectedServiceName('dynamodb', 'us-east-1')).toBe('com.amazonaws.us-east-1.dynamodb');
    expect(expectedServiceName('s3', 'cn-north-1', ['cn.com.amazonaws.cn-north-1.ecr.api'])).toBe(
      'cn.com.amazonaws.cn-north-1.s3',
    );
    expect(expectedServiceName('s3', undefined)).toBe('com.amazonaws.<region>.s3');
    expect(expectedServiceName('com.amazonaws.us-east-1.s3', 'eu-west-1')).toBe(
      'com.amazonaws.us-east-1.s3',
    );
  });

  it('names global services without a region', () => {
    // Act & Assess
    expect(expectedServiceName('iam', 'us-east-1')).toBe('com.amazonaws.iam');
    expect(expectedServiceName('route53', 'eu-west-1')).toBe('com.amazonaws.route53');
  });
});
