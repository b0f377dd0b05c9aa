import { Readable } from 'node:stream';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { ApiCallCounter, countCalls } from '../../../src/sources/aws/counter.js';

/** An EC2 client whose HTTP layer answers every request with an empty DescribeVpcs result. */
const offlineEc2 = (): EC2Client =>
  new EC2Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    requestHandler: {
      handle: async () => ({
        response: {
          statusCode: 200,
          headers: { 'content-type': 'text/xml' },
          body: Readable.from([
            Buffer.from(
              '<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><vpcSet/></DescribeVpcsResponse>',
            ),
          ]),
        },
      }),
    },
  });

describe('ApiCallCounter', () => {
  it('counts every operation sent through an attached client, per service and operation', async () => {
    // Prepare
    const counter = new ApiCallCounter();
    const client = counter.attach(offlineEc2(), 'ec2');

    // Act
    await client.send(new DescribeVpcsCommand({}));
    await client.send(new DescribeVpcsCommand({}));

    // Assess
    expect(counter.total).toBe(2);
    expect(counter.count('ec2:DescribeVpcs')).toBe(2);
    expect(counter.toJSON()).toEqual({ total: 2, byOperation: { 'ec2:DescribeVpcs': 2 } });
  });

  it('counts once per call when attached to the same client twice', async () => {
    // Prepare
    const counter = new ApiCallCounter();
    const client = counter.attach(counter.attach(offlineEc2(), 'ec2'), 'ec2');

    // Act
    await client.send(new DescribeVpcsCommand({}));

    // Assess
    expect(counter.total).toBe(1);
  });

  it('sorts the breakdown by key and starts again after reset', () => {
    // Prepare
    const counter = new ApiCallCounter();
    counter.record('s3:ListBuckets');
    counter.record('ec2:DescribeVpcs');

    // Act
    const breakdown = Object.keys(counter.byOperation());
    counter.reset();

    // Assess
    expect(breakdown).toEqual(['ec2:DescribeVpcs', 's3:ListBuckets']);
    expect(counter.total).toBe(0);
  });
});

describe('countCalls', () => {
  it('reports only the calls made by the measured work', async () => {
    // Prepare
    const counter = new ApiCallCounter();
    const client = counter.attach(offlineEc2(), 'ec2');
    await client.send(new DescribeVpcsCommand({}));
    counter.record('s3:ListBuckets');

    // Act
    const { result, calls } = await countCalls(counter, async () => {
      await client.send(new DescribeVpcsCommand({}));
      return 'done';
    });

    // Assess
    expect(result).toBe('done');
    expect(calls).toEqual({ total: 1, byOperation: { 'ec2:DescribeVpcs': 1 } });
  });
});
