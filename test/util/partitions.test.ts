import { partition as sdkPartition } from '@aws-sdk/core/client';
import { describe, expect, it } from 'vitest';
import { partitionOfArn, partitionOfRegion } from '../../src/util/partitions.js';

// Regions of every partition the AWS SDK's partition data lists (@aws-sdk/core util-endpoints).
const REGIONS = [
  'us-east-1',
  'eu-west-1',
  'ap-southeast-7',
  'mx-central-1',
  'il-central-1',
  'cn-north-1',
  'cn-northwest-1',
  'us-gov-west-1',
  'us-gov-east-1',
  'us-iso-east-1',
  'us-isob-east-1',
  'eu-isoe-west-1',
  'us-isof-south-1',
  'us-isof-east-1',
  'eusc-de-east-1',
];

describe('partitionOfRegion', () => {
  it.each(REGIONS)('agrees with the AWS SDK partition data for %s', (region) => {
    // Act
    const partition = partitionOfRegion(region);

    // Assess
    expect(partition).toBe(sdkPartition(region).name);
  });

  it.each(['', 'mars-north-1', 'local'])('claims no partition for %j', (region) => {
    // Act
    const partition = partitionOfRegion(region);

    // Assess
    expect(partition).toBeUndefined();
  });
});

describe('partitionOfArn', () => {
  it.each([
    ['arn:aws-eusc:s3:::examplebucket', 'aws-eusc'],
    ['arn:aws-iso-f:s3:::examplebucket', 'aws-iso-f'],
    ['arn:aws:s3:::examplebucket', 'aws'],
    ['examplebucket', undefined],
  ])('reads the partition of %s', (arn, expected) => {
    // Act
    const partition = partitionOfArn(arn);

    // Assess
    expect(partition).toBe(expected);
  });
});
