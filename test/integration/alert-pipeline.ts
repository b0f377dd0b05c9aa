import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { expect } from 'vitest';
import { createNotifierHandler } from '../../src/alerts/handler.js';
import { alertEventPattern } from '../../src/deploy/alert-resources.js';
import type { ComplianceEvent } from '../alerts/events.js';
import { motoClientOptions } from './moto.js';

/**
 * The deployed alert pipeline rebuilt in moto_server: an SNS topic with an SQS subscriber, the
 * alert queue behind an EventBridge rule with the deployed pattern, the idempotency table, the
 * report bucket, and the notifier handler invoked the way the Lambda SQS event source does.
 */

const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'vpce-guard-test-notifier',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:vpce-guard-test-notifier',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/vpce-guard-test-notifier',
  logStreamName: '2026/11/29/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/** SNS's envelope as an SQS subscriber receives it (raw delivery off). */
interface SnsEnvelope {
  Type: string;
  Subject: string;
  Message: string;
  MessageAttributes: Record<string, { Type: string; Value: string }>;
}

const IDEMPOTENCY_TABLE = 'vpce-guard-test-alert-idempotency';

const queueArnOf = async (sqs: SQSClient, url: string): Promise<string> => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn ?? '';
};

const createAlertPipeline = async (url: string, reportBucket: string) => {
  const { endpointUrl, ...rest } = motoClientOptions(url);
  const options = { ...rest, endpoint: endpointUrl };
  const sqs = new SQSClient(options);
  const sns = new SNSClient(options);
  const events = new EventBridgeClient(options);
  const dynamodb = new DynamoDBClient(options);
  const s3 = new S3Client({ ...options, forcePathStyle: true });

  const { TopicArn: topicArn = '' } = await sns.send(
    new CreateTopicCommand({ Name: 'vpce-guard-test-alerts' }),
  );
  const subscriber = await sqs.send(new CreateQueueCommand({ QueueName: 'alert-subscriber' }));
  const subscriberUrl = subscriber.QueueUrl ?? '';
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: await queueArnOf(sqs, subscriberUrl),
    }),
  );
  const inbox = await sqs.send(
    new CreateQueueCommand({ QueueName: 'vpce-guard-test-alert-queue' }),
  );
  const inboxUrl = inbox.QueueUrl ?? '';
  const inboxArn = await queueArnOf(sqs, inboxUrl);
  // The deployed rule's pattern and target (src/deploy/alert-resources.ts).
  await events.send(
    new PutRuleCommand({
      Name: 'vpce-guard-test-compliance-changes',
      EventPattern: JSON.stringify(alertEventPattern()),
      State: 'ENABLED',
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: 'vpce-guard-test-compliance-changes',
      Targets: [{ Id: 'alert-queue', Arn: inboxArn }],
    }),
  );
  const table = IDEMPOTENCY_TABLE;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: table,
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: reportBucket }));
  const handler = createNotifierHandler({
    topicArn,
    idempotencyTable: table,
    reportBucket: reportBucket,
    clientConfig: options,
  });

  /** PutEvents as AWS Config would emit them (10 entries per call, the API's limit). */
  const putEvents = async (bodies: readonly ComplianceEvent[]): Promise<void> => {
    for (let start = 0; start < bodies.length; start += 10) {
      const { FailedEntryCount } = await events.send(
        new PutEventsCommand({
          Entries: bodies.slice(start, start + 10).map((event) => ({
            Source: event.source,
            DetailType: event['detail-type'],
            Detail: JSON.stringify(event.detail),
            Resources: event.resources,
            Time: new Date(event.time),
          })),
        }),
      );
      expect(FailedEntryCount ?? 0).toBe(0);
    }
  };

  const sendToQueue = async (bodies: readonly ComplianceEvent[]): Promise<void> => {
    for (let start = 0; start < bodies.length; start += 10) {
      const { Failed = [] } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: inboxUrl,
          Entries: bodies.slice(start, start + 10).map((event, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(event),
          })),
        }),
      );
      expect(Failed).toEqual([]);
    }
  };

  /** Every message in the queue, deleted as read. */
  const drain = async (url: string): Promise<Message[]> => {
    const messages: Message[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return messages;
      messages.push(...Messages);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle ?? '',
          })),
        }),
      );
    }
  };

  /** The batch the Lambda SQS event source mapping would hand the function. */
  const sqsEventOf = (messages: readonly Message[]): SQSEvent => ({
    Records: messages.map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'AIDAEVENTBRIDGE',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: inboxArn,
      awsRegion: 'us-east-1',
    })),
  });

  const alertsReceived = async (): Promise<SnsEnvelope[]> =>
    (await drain(subscriberUrl)).map((message) => JSON.parse(message.Body ?? '') as SnsEnvelope);

  return {
    inboxUrl,
    subscriberUrl,
    table,
    sqs,
    s3,
    dynamodb,
    invoke: (event: SQSEvent): Promise<SQSBatchResponse> => handler(event, lambdaContext),
    putEvents,
    sendToQueue,
    drain,
    sqsEventOf,
    alertsReceived,
  };
};

type AlertPipeline = Awaited<ReturnType<typeof createAlertPipeline>>;

export type { AlertPipeline, SnsEnvelope };
export { createAlertPipeline, IDEMPOTENCY_TABLE };
