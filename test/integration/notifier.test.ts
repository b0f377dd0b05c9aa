import {
  CreateTableCommand,
  DynamoDBClient,
  ScanCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeEach, expect, it } from 'vitest';
import { createNotifierHandler } from '../../src/alerts/handler.js';
import { alertEventPattern, BATCH_SIZE } from '../../src/deploy/alert-resources.js';
import { evidenceKey } from '../../src/model/evidence.js';
import { type ComplianceEvent, complianceEvent } from '../alerts/events.js';
import { describeWithMoto, motoClientOptions } from './moto.js';

/**
 * The alert pipeline as deployed, against moto_server: an EventBridge rule with the deployed
 * pattern routes `Config Rules Compliance Change` events into the alert queue; the notifier handler
 * (middy, Powertools batch and idempotency on DynamoDB) reads them in batches the way the Lambda
 * event source mapping delivers them; an SQS queue subscribed to the topic receives the alerts.
 */

const REPORT_BUCKET = 'vpce-guard-reports-111122223333';
const FULL_REASON =
  'Statement AllowAnalytics (Allow, Principal {"AWS": "arn:aws:iam::111122223333:root"}, s3:GetObject on arn:aws:s3:::amzn-s3-demo-bucket/*) has no aws:SecureTransport condition, and no Deny statement is conditioned on aws:SecureTransport being false, so a request over plain HTTP from any principal of the account is allowed. Statement DenyOutsideVpce denies only requests that do not come through vpce-0a1b2c3d4e5f60718, which plain HTTP through that endpoint still does.';

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

interface World {
  inboxUrl: string;
  inboxArn: string;
  subscriberUrl: string;
  invoke(event: SQSEvent): Promise<SQSBatchResponse>;
  sqs: SQSClient;
  events: EventBridgeClient;
  s3: S3Client;
  dynamodb: DynamoDBClient;
}

/** SNS's envelope as an SQS subscriber receives it (raw delivery off). */
interface SnsEnvelope {
  Type: string;
  Subject: string;
  Message: string;
  MessageAttributes: Record<string, { Type: string; Value: string }>;
}

describeWithMoto(
  'notifier end to end (EventBridge, SQS, Lambda handler, SNS, DynamoDB, S3)',
  (moto) => {
    let world: World;

    const queueArnOf = async (sqs: SQSClient, url: string): Promise<string> => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
      );
      return Attributes?.QueueArn ?? '';
    };

    beforeEach(async () => {
      const { endpointUrl, ...rest } = motoClientOptions(moto.url);
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
      const table = 'vpce-guard-test-alert-idempotency';
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
      await s3.send(new CreateBucketCommand({ Bucket: REPORT_BUCKET }));
      const handler = createNotifierHandler({
        topicArn,
        idempotencyTable: table,
        reportBucket: REPORT_BUCKET,
        clientConfig: options,
      });
      world = {
        inboxUrl,
        inboxArn,
        subscriberUrl,
        invoke: (event) => handler(event, lambdaContext),
        sqs,
        events,
        s3,
        dynamodb,
      };
    });

    /** PutEvents as AWS Config would emit them (10 entries per call, the API's limit). */
    const putEvents = async (bodies: readonly ComplianceEvent[]): Promise<void> => {
      for (let start = 0; start < bodies.length; start += 10) {
        const { FailedEntryCount } = await world.events.send(
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
        const { Failed = [] } = await world.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: world.inboxUrl,
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
        const { Messages = [] } = await world.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (Messages.length === 0) return messages;
        messages.push(...Messages);
        await world.sqs.send(
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
        eventSourceARN: world.inboxArn,
        awsRegion: 'us-east-1',
      })),
    });

    const alertsReceived = async (): Promise<SnsEnvelope[]> =>
      (await drain(world.subscriberUrl)).map(
        (message) => JSON.parse(message.Body ?? '') as SnsEnvelope,
      );

    it('routes a NON_COMPLIANT change through the deployed rule, the queue and the notifier to the topic', async () => {
      // Prepare
      const event = complianceEvent();
      await world.s3.send(
        new PutObjectCommand({
          Bucket: REPORT_BUCKET,
          Key: evidenceKey(
            '111122223333',
            'eu-west-1',
            's3-bucket-policy-tls-only',
            'amzn-s3-demo-bucket',
          ),
          Body: JSON.stringify({
            schemaVersion: 1,
            accountId: '111122223333',
            region: 'eu-west-1',
            ruleId: 's3-bucket-policy-tls-only',
            resourceType: 'AWS::S3::Bucket',
            resourceId: 'amzn-s3-demo-bucket',
            complianceType: 'NON_COMPLIANT',
            annotation: event.detail.newEvaluationResult.annotation,
            detail: FULL_REASON,
            remediation: 'Add a Deny of plain-HTTP requests.',
            evaluatedAt: '2026-11-29T10:14:51.208Z',
          }),
        }),
      );
      await putEvents([event]);
      const routed = await drain(world.inboxUrl);

      // Act
      const response = await world.invoke(sqsEventOf(routed));
      const alerts = await alertsReceived();

      // Assess
      expect(routed).toHaveLength(1);
      expect(response.batchItemFailures).toEqual([]);
      expect(alerts).toHaveLength(1);
      const [alert] = alerts;
      expect(alert?.Subject).toBe(
        '[vpce-guard] NON_COMPLIANT s3-bucket-policy-tls-only: amzn-s3-demo-bucket (111122223333 eu-west-1)',
      );
      expect(alert?.Subject.length).toBeLessThan(100);
      expect(alert?.MessageAttributes).toMatchObject({
        severity: { Type: 'String', Value: expect.stringMatching(/^(critical|high|medium|low)$/) },
        ruleId: { Type: 'String', Value: 's3-bucket-policy-tls-only' },
        complianceType: { Type: 'String', Value: 'NON_COMPLIANT' },
        accountId: { Type: 'String', Value: '111122223333' },
      });
      // SQS subscribers get the JSON document of the message structure.
      const document = JSON.parse(alert?.Message ?? '{}');
      expect(document).toMatchObject({
        type: 'vpce-guard.compliance-transition',
        transition: 'violation',
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'amzn-s3-demo-bucket',
        accountId: '111122223333',
        region: 'eu-west-1',
        reason: FULL_REASON,
        reasonSource: 'evidence',
        previousComplianceType: 'COMPLIANT',
        consoleUrl: expect.stringContaining('resourceId=amzn-s3-demo-bucket'),
      });
      expect(document.frameworks.map((ref: { framework: string }) => ref.framework)).toEqual(
        expect.arrayContaining(['PCI-DSS-4.0', 'HIPAA']),
      );
    });

    it('sends one message when the same event arrives twice (idempotency on DynamoDB)', async () => {
      // Prepare
      await putEvents([complianceEvent()]);
      await putEvents([complianceEvent()]);
      const routed = await drain(world.inboxUrl);

      // Act: separate invocations, as redeliveries are.
      const responses = [];
      for (const message of routed) responses.push(await world.invoke(sqsEventOf([message])));
      const alerts = await alertsReceived();
      const { Items = [] } = await world.dynamodb.send(
        new ScanCommand({ TableName: 'vpce-guard-test-alert-idempotency' }),
      );

      // Assess
      expect(routed).toHaveLength(2);
      expect(responses.every((response) => response.batchItemFailures.length === 0)).toBe(true);
      expect(alerts).toHaveLength(1);
      expect(Items).toHaveLength(1);
      expect(Items[0]?.status?.S).toBe('COMPLETED');
      expect(Number(Items[0]?.expiration?.N)).toBeGreaterThan(Date.now() / 1000);
    });

    it('sends digests, not 300 messages, for the first evaluation of 300 resources', async () => {
      // Prepare
      const events = Array.from({ length: 300 }, (_, index) =>
        complianceEvent({ resourceId: `bucket-${String(index).padStart(3, '0')}`, oldState: null }),
      );
      // The first ten go through EventBridge; moto_server takes seconds per PutEvents call, so the
      // other 290 are sent to the queue directly, in the shape EventBridge delivers (the event JSON).
      await putEvents(events.slice(0, 10));
      await sendToQueue(events.slice(10));
      const routed = await drain(world.inboxUrl);

      // Act: batches of the deployed size.
      const responses = [];
      for (let start = 0; start < routed.length; start += BATCH_SIZE) {
        responses.push(await world.invoke(sqsEventOf(routed.slice(start, start + BATCH_SIZE))));
      }
      const alerts = await alertsReceived();

      // Assess
      expect(routed).toHaveLength(300);
      expect(responses.every((response) => response.batchItemFailures.length === 0)).toBe(true);
      expect(alerts).toHaveLength(Math.ceil(300 / BATCH_SIZE));
      let total = 0;
      for (const alert of alerts) {
        const document = JSON.parse(alert.Message);
        expect(document.type).toBe('vpce-guard.compliance-digest');
        expect(alert.Subject.length).toBeLessThan(100);
        expect(alert.Subject).toMatch(
          /^\[vpce-guard\] \d+ NON_COMPLIANT: s3-bucket-policy-tls-only /,
        );
        expect(alert.MessageAttributes.complianceType?.Value).toBe('NON_COMPLIANT');
        total += document.counts.violation;
      }
      expect(total).toBe(300);
    });

    it('logs and drops malformed and foreign events instead of retrying them', async () => {
      // Prepare: another product's rule never reaches the queue; junk sent to it directly does.
      await putEvents([complianceEvent({ configRuleName: 's3-bucket-ssl-requests-only' })]);
      const routedForeign = await drain(world.inboxUrl);
      for (const body of [
        'not json at all',
        JSON.stringify({ ...complianceEvent(), 'detail-type': 'Config Configuration Item Change' }),
        JSON.stringify({
          ...complianceEvent(),
          detail: { configRuleName: 'vpce-guard-s3-bucket-policy-tls-only' },
        }),
      ]) {
        await world.sqs.send(
          new SendMessageCommand({ QueueUrl: world.inboxUrl, MessageBody: body }),
        );
      }
      const junk = await drain(world.inboxUrl);

      // Act
      const response = await world.invoke(sqsEventOf(junk));

      // Assess
      expect(routedForeign).toEqual([]);
      expect(junk).toHaveLength(3);
      expect(response.batchItemFailures).toEqual([]);
      expect(await alertsReceived()).toEqual([]);
    });

    it('sends nothing for an evaluation the suppressions file in the report bucket accepts', async () => {
      // Prepare
      await world.s3.send(
        new PutObjectCommand({
          Bucket: REPORT_BUCKET,
          Key: 'suppressions.yaml',
          Body: [
            '- ruleId: s3-bucket-policy-tls-only',
            '  resource: legacy-*',
            '  account: "111122223333"',
            '  reason: Legacy exports bucket, decommissioned in NET-42',
            '  expires: 2099-12-31',
          ].join('\n'),
        }),
      );
      await putEvents([
        complianceEvent({ resourceId: 'legacy-exports' }),
        complianceEvent({ resourceId: 'current-exports' }),
      ]);

      // Act
      const response = await world.invoke(sqsEventOf(await drain(world.inboxUrl)));
      const alerts = await alertsReceived();

      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(alerts.map((alert) => JSON.parse(alert.Message).resourceId)).toEqual([
        'current-exports',
      ]);
    });
  },
);
