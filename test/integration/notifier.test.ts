import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeEach, expect, it } from 'vitest';
import { BATCH_SIZE } from '../../src/deploy/alert-resources.js';
import { evidenceKey } from '../../src/model/evidence.js';
import { complianceEvent } from '../alerts/events.js';
import { type AlertPipeline, createAlertPipeline, IDEMPOTENCY_TABLE } from './alert-pipeline.js';
import { describeWithMoto } from './moto.js';

/**
 * The alert pipeline as deployed, against moto_server: an EventBridge rule with the deployed
 * pattern routes `Config Rules Compliance Change` events into the alert queue; the notifier handler
 * (middy, Powertools batch and idempotency on DynamoDB) reads them in batches the way the Lambda
 * event source mapping delivers them; an SQS queue subscribed to the topic receives the alerts.
 */

const REPORT_BUCKET = 'vpce-guard-reports-111122223333';
const FULL_REASON =
  'Statement AllowAnalytics (Allow, Principal {"AWS": "arn:aws:iam::111122223333:root"}, s3:GetObject on arn:aws:s3:::amzn-s3-demo-bucket/*) has no aws:SecureTransport condition, and no Deny statement is conditioned on aws:SecureTransport being false, so a request over plain HTTP from any principal of the account is allowed. Statement DenyOutsideVpce denies only requests that do not come through vpce-0a1b2c3d4e5f60718, which plain HTTP through that endpoint still does.';
describeWithMoto(
  'notifier end to end (EventBridge, SQS, Lambda handler, SNS, DynamoDB, S3)',
  (moto) => {
    let world: AlertPipeline;

    beforeEach(async () => {
      world = await createAlertPipeline(moto.url, REPORT_BUCKET);
    });

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
      await world.putEvents([event]);
      const routed = await world.drain(world.inboxUrl);

      // Act
      const response = await world.invoke(world.sqsEventOf(routed));
      const alerts = await world.alertsReceived();

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
      await world.putEvents([complianceEvent()]);
      await world.putEvents([complianceEvent()]);
      const routed = await world.drain(world.inboxUrl);

      // Act: separate invocations, as redeliveries are.
      const responses = [];
      for (const message of routed) responses.push(await world.invoke(world.sqsEventOf([message])));
      const alerts = await world.alertsReceived();
      const { Items = [] } = await world.dynamodb.send(
        new ScanCommand({ TableName: IDEMPOTENCY_TABLE }),
      );

      // Assess
      expect(routed).toHaveLength(2);
      expect(responses.every((response) => response.batchItemFailures.length === 0)).toBe(true);
      expect(alerts).toHaveLength(1);
      // Powertools' records; the table also keeps the newest alerted transition per resource.
      const records = Items.filter((item) => item.status !== undefined);
      expect(records).toHaveLength(1);
      expect(records[0]?.status?.S).toBe('COMPLETED');
      expect(Number(records[0]?.expiration?.N)).toBeGreaterThan(Date.now() / 1000);
    });

    it('sends no late "resolved" after the newer violation of its resource (conditional write on DynamoDB)', async () => {
      // Prepare: the resolution of 10:00 reaches the notifier only after the violation of 10:20.
      const resolved = complianceEvent({
        newState: 'COMPLIANT',
        oldState: 'NON_COMPLIANT',
        orderingTimestamp: '2026-11-29T10:00:00.000Z',
      });
      const violated = complianceEvent({ orderingTimestamp: '2026-11-29T10:20:00.000Z' });
      await world.sendToQueue([violated]);
      const first = await world.drain(world.inboxUrl);
      await world.sendToQueue([resolved]);
      const late = await world.drain(world.inboxUrl);

      // Act
      const responses = [
        await world.invoke(world.sqsEventOf(first)),
        await world.invoke(world.sqsEventOf(late)),
      ];
      const alerts = await world.alertsReceived();

      // Assess
      expect(responses.every((response) => response.batchItemFailures.length === 0)).toBe(true);
      expect(alerts.map((alert) => JSON.parse(alert.Message).transition)).toEqual(['violation']);
    });

    // 300 events through moto_server on a shared machine take minutes, not the default two.
    it('sends digests, not 300 messages, for the first evaluation of 300 resources', async () => {
      // Prepare
      const events = Array.from({ length: 300 }, (_, index) =>
        complianceEvent({ resourceId: `bucket-${String(index).padStart(3, '0')}`, oldState: null }),
      );
      // The first ten go through EventBridge; moto_server takes seconds per PutEvents call, so the
      // other 290 are sent to the queue directly, in the shape EventBridge delivers (the event JSON).
      await world.putEvents(events.slice(0, 10));
      await world.sendToQueue(events.slice(10));
      const routed = await world.drain(world.inboxUrl);

      // Act: batches of the deployed size.
      const responses = [];
      for (let start = 0; start < routed.length; start += BATCH_SIZE) {
        responses.push(
          await world.invoke(world.sqsEventOf(routed.slice(start, start + BATCH_SIZE))),
        );
      }
      const alerts = await world.alertsReceived();

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
    }, 600_000);

    it('logs and drops malformed and foreign events instead of retrying them', async () => {
      // Prepare: another product's rule never reaches the queue; junk sent to it directly does.
      await world.putEvents([complianceEvent({ configRuleName: 's3-bucket-ssl-requests-only' })]);
      const routedForeign = await world.drain(world.inboxUrl);
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
      const junk = await world.drain(world.inboxUrl);

      // Act
      const response = await world.invoke(world.sqsEventOf(junk));

      // Assess
      expect(routedForeign).toEqual([]);
      expect(junk).toHaveLength(3);
      expect(response.batchItemFailures).toEqual([]);
      expect(await world.alertsReceived()).toEqual([]);
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
      await world.putEvents([
        complianceEvent({ resourceId: 'legacy-exports' }),
        complianceEvent({ resourceId: 'current-exports' }),
      ]);

      // Act
      const response = await world.invoke(world.sqsEventOf(await world.drain(world.inboxUrl)));
      const alerts = await world.alertsReceived();

      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(alerts.map((alert) => JSON.parse(alert.Message).resourceId)).toEqual([
        'current-exports',
      ]);
    });
  },
);
