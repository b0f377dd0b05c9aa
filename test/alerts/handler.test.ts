import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createNotifierHandler } from '../../src/alerts/handler.js';
import { DeploymentConfigError } from '../../src/errors.js';
import { complianceEvent, sqsEventOf } from './events.js';

const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);

const context = {
  functionName: 'vpce-guard-test-notifier',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:vpce-guard-test-notifier',
  getRemainingTimeInMillis: () => 60_000,
} as Context;

// Only transformToString is read from the SDK stream.
const body = (text: string) => ({ transformToString: async () => text }) as never;
const missing = Object.assign(new Error('The specified key does not exist.'), {
  name: 'NoSuchKey',
});

describe('createNotifierHandler', () => {
  beforeEach(() => {
    s3.reset();
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
  });

  it('refuses to start without the alert topic', () => {
    expect(() => createNotifierHandler({ topicArn: '' })).toThrow(DeploymentConfigError);
  });

  it('still alerts, unsuppressed, when the suppressions file in the bucket is broken', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(missing);
    s3.on(GetObjectCommand, { Key: 'suppressions.yaml' }).resolves({
      Body: body('- ruleId: s3-bucket-policy-tls-only\n  resource: amzn-s3-demo-bucket\n'),
    });
    const handler = createNotifierHandler({
      topicArn: 'arn:aws:sns:eu-west-1:111122223333:alerts',
      reportBucket: 'reports',
    });
    // Act
    const response = await handler(sqsEventOf(complianceEvent()), context);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('reads the evidence object under the key the rule functions write', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(missing);
    s3.on(GetObjectCommand, {
      Key: 'evidence/111122223333/eu-west-1/s3-bucket-policy-tls-only/amzn-s3-demo-bucket.json',
    }).resolves({
      Body: body(
        JSON.stringify({
          schemaVersion: 1,
          complianceType: 'NON_COMPLIANT',
          annotation: 'short',
          detail: 'The whole story of why plain HTTP gets through.',
          evaluatedAt: '2026-11-29T10:14:51.208Z',
        }),
      ),
    });
    const handler = createNotifierHandler({
      topicArn: 'arn:aws:sns:eu-west-1:111122223333:alerts',
      reportBucket: 'reports',
    });
    // Act
    await handler(sqsEventOf(complianceEvent()), context);
    // Assess
    const [call] = sns.commandCalls(PublishCommand);
    const structure = JSON.parse(call?.args[0].input.Message ?? '{}');
    expect(structure.email).toContain('The whole story of why plain HTTP gets through.');
  });
});
