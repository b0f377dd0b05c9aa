import { DescribeConfigurationRecorderStatusCommand } from '@aws-sdk/client-config-service';
import { GetBucketPolicyCommand, ListBucketsCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createClients } from '../../../src/sources/aws/clients.js';
import { createLiveView } from '../../../src/sources/aws/live-view.js';

/**
 * A periodic sweep's slice of buckets stops at the deadline bucket by bucket (RELIABILITY.md: "no
 * bucket is read after it"). Checked only once per batch of 100, a slow S3 (each read answered
 * late, or only at the request timeout) kept reading a whole batch past the deadline, until the
 * Lambda timed out with nothing delivered and no cursor saved, on every retry again.
 */

const REGION = 'eu-west-1';
const NAMES = Array.from({ length: 60 }, (_, index) => `bucket-${String(index).padStart(2, '0')}`);
const READ_MS = 30;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a bucket sweep slice under a deadline', () => {
  it('starts no bucket read after the deadline and continues at the first bucket not read', async () => {
    // Prepare
    const clients = createClients({
      region: REGION,
      maxAttempts: 1,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const s3 = mockClient(clients.s3);
    const config = mockClient(clients.config);
    config.on(DescribeConfigurationRecorderStatusCommand).resolves({
      ConfigurationRecordersStatus: [],
    });
    s3.on(ListBucketsCommand).resolves({
      Buckets: NAMES.map((Name) => ({ Name, BucketRegion: REGION })),
    });
    s3.on(GetBucketPolicyCommand).callsFake(async () => {
      await sleep(READ_MS);
      throw new S3ServiceException({
        name: 'NoSuchBucketPolicy',
        $fault: 'client',
        $metadata: { httpStatusCode: 404 },
        message: 'The bucket policy does not exist',
      });
    });
    const view = createLiveView({
      clients,
      region: REGION,
      accountId: '111122223333',
      readBucketTags: false,
      readPublicAccessBlock: false,
    });
    // Two rounds of eight parallel reads fit before the deadline, not the sixty buckets.
    const deadline = Date.now() + READ_MS * 2 + READ_MS / 2;

    // Act
    const slice = await view.listFrom('AWS::S3::Bucket', { deadline });

    // Assess
    const read = slice.resources.map((bucket) => bucket.id);
    expect(s3.commandCalls(GetBucketPolicyCommand).length).toBeLessThan(NAMES.length);
    // Every bucket before the cursor was read; the cursor is the first one not read.
    expect(slice.nextId).toBe(NAMES[read.length]);
    expect(read).toEqual(NAMES.slice(0, read.length));
    expect(slice.ids).toEqual(NAMES);
  });
});
