import { describe, expect, it } from 'vitest';
import type { EvidenceReader } from '../../src/alerts/evidence-reader.js';
import type { AlertMessage } from '../../src/alerts/message.js';
import { createNotifier, type NotifierOptions } from '../../src/alerts/notifier.js';
import type { AlertPublisher } from '../../src/alerts/publisher.js';
import { AlertDeliveryError } from '../../src/errors.js';
import { parseSuppressions, SuppressionMatcher } from '../../src/report/suppressions.js';
import { RecordingLogger } from '../engine/recording-logger.js';
import { complianceEvent, sqsEventOf } from './events.js';

/** Keeps what was published; `failWhen` makes SNS refuse matching messages. */
class FakePublisher implements AlertPublisher {
  readonly sent: AlertMessage[] = [];
  constructor(private readonly failWhen: (message: AlertMessage) => boolean = () => false) {}
  async publish(message: AlertMessage): Promise<string> {
    if (this.failWhen(message)) throw new AlertDeliveryError(`refused ${message.subject}`);
    this.sent.push(message);
    return `msg-${this.sent.length}`;
  }
}

const setup = (overrides: Partial<NotifierOptions> = {}) => {
  const publisher = new FakePublisher();
  const logger = new RecordingLogger();
  const notifier = createNotifier({ publisher, logger, ...overrides });
  return {
    publisher: (overrides.publisher as FakePublisher | undefined) ?? publisher,
    logger,
    notifier,
  };
};

describe('createNotifier', () => {
  it('sends one message per real transition and nothing for same-state repeats', async () => {
    // Prepare
    const { publisher, notifier } = setup();
    const event = sqsEventOf(
      complianceEvent({ resourceId: 'bucket-new', oldState: 'COMPLIANT' }),
      complianceEvent({
        resourceId: 'bucket-fixed',
        newState: 'COMPLIANT',
        oldState: 'NON_COMPLIANT',
      }),
      complianceEvent({ resourceId: 'bucket-still-bad', oldState: 'NON_COMPLIANT' }),
      complianceEvent({
        resourceId: 'bucket-still-good',
        newState: 'COMPLIANT',
        oldState: 'COMPLIANT',
      }),
      complianceEvent({ resourceId: 'bucket-first-good', newState: 'COMPLIANT', oldState: null }),
    );
    // Act
    const response = await notifier.processBatch(event);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.sent.map((message) => message.attributes.alertType).sort()).toEqual([
      'resolved',
      'violation',
    ]);
    expect(publisher.sent.map((message) => message.subject).join('\n')).toMatch(/bucket-new/);
    expect(publisher.sent.map((message) => message.subject).join('\n')).toMatch(/bucket-fixed/);
  });

  it("sends a resource's transitions in the order they happened, even when the first is slow", async () => {
    // Prepare: the violation and its resolution arrive in one batch, the resolution first; SNS
    // takes a while to accept the violation.
    class SlowViolations extends FakePublisher {
      override async publish(message: AlertMessage): Promise<string> {
        if (message.attributes.alertType === 'violation') {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return super.publish(message);
      }
    }
    const publisher = new SlowViolations();
    const { notifier } = setup({ publisher });
    const event = sqsEventOf(
      complianceEvent({
        resourceId: 'bucket-flapping',
        newState: 'COMPLIANT',
        oldState: 'NON_COMPLIANT',
        orderingTimestamp: '2026-11-29T10:20:00.000Z',
      }),
      complianceEvent({
        resourceId: 'bucket-flapping',
        newState: 'NON_COMPLIANT',
        oldState: 'COMPLIANT',
        orderingTimestamp: '2026-11-29T10:10:00.000Z',
      }),
    );

    // Act
    const response = await notifier.processBatch(event);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.sent.map((message) => message.attributes.alertType)).toEqual([
      'violation',
      'resolved',
    ]);
  });

  it('logs and drops malformed and foreign events without failing them', async () => {
    // Prepare
    const { publisher, logger, notifier } = setup();
    const broken = complianceEvent();
    broken.detail.newEvaluationResult.complianceType = 'SOMETIMES';
    const event = sqsEventOf(
      '{"truncated": ',
      broken,
      complianceEvent({ configRuleName: 's3-bucket-ssl-requests-only' }),
      { ...complianceEvent(), 'detail-type': 'Config Configuration Item Change' },
    );
    // Act
    const response = await notifier.processBatch(event);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.sent).toEqual([]);
    expect(logger.at('error').map((entry) => entry.message)).toEqual([
      'Dropping a malformed event',
      'Dropping a malformed event',
    ]);
    expect(
      logger.at('warn').filter((entry) => entry.message.includes('not for vpce-guard')),
    ).toHaveLength(2);
  });

  it('turns many transitions of one rule in a batch into one digest', async () => {
    // Prepare
    const { publisher, notifier } = setup();
    const event = sqsEventOf(
      ...Array.from({ length: 40 }, (_, index) =>
        complianceEvent({ resourceId: `bucket-${index}` }),
      ),
      complianceEvent({
        configRuleName: 'vpce-guard-interface-endpoint-private-dns',
        resourceType: 'AWS::EC2::VPCEndpoint',
        resourceId: 'vpce-0123456789abcdef0',
      }),
    );
    // Act
    const response = await notifier.processBatch(event);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.sent).toHaveLength(2);
    const digest = publisher.sent.find((message) => message.attributes.alertType === 'digest');
    expect(digest?.subject).toBe(
      '[vpce-guard] 40 NON_COMPLIANT: s3-bucket-policy-tls-only (111122223333 eu-west-1)',
    );
    expect(digest?.document).toMatchObject({ counts: { violation: 40, resolved: 0 } });
  });

  it('keeps separate digests per account', async () => {
    // Prepare
    const { publisher, notifier } = setup({ digestAbove: 2 });
    const event = sqsEventOf(
      ...['111122223333', '444455556666'].flatMap((accountId) =>
        [1, 2, 3].map((n) => complianceEvent({ accountId, resourceId: `bucket-${n}` })),
      ),
    );
    // Act
    await notifier.processBatch(event);
    // Assess
    expect(publisher.sent.map((message) => message.attributes.accountId).sort()).toEqual([
      '111122223333',
      '444455556666',
    ]);
  });

  it('drops a transition delivered twice in one batch', async () => {
    // Prepare
    const { publisher, notifier } = setup();
    // Act
    const response = await notifier.processBatch(sqsEventOf(complianceEvent(), complianceEvent()));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(publisher.sent).toHaveLength(1);
  });

  it('sends nothing for suppressed evaluations, and alerts again once the suppression expired', async () => {
    // Prepare
    const entries = parseSuppressions(
      JSON.stringify([
        {
          ruleId: 's3-bucket-policy-tls-only',
          resource: 'legacy-*',
          account: '111122223333',
          reason: 'Legacy bucket, migration ticket NET-42',
          expires: '2026-12-31',
        },
      ]),
      'suppressions.json',
    );
    const at = (now: string) =>
      setup({ suppressions: async () => new SuppressionMatcher(entries, new Date(now)) });
    const event = () =>
      sqsEventOf(
        complianceEvent({ resourceId: 'legacy-exports' }),
        complianceEvent({ resourceId: 'current-exports' }),
      );
    const before = at('2026-11-29T12:00:00Z');
    const after = at('2027-01-01T00:00:01Z');
    // Act
    await before.notifier.processBatch(event());
    await after.notifier.processBatch(event());
    // Assess
    expect(before.publisher.sent.map((message) => message.document.resourceId)).toEqual([
      'current-exports',
    ]);
    expect(before.logger.at('info').some((entry) => entry.message.includes('suppressed'))).toBe(
      true,
    );
    expect(after.publisher.sent).toHaveLength(2);
  });

  it('fails only the records whose alert SNS refused', async () => {
    // Prepare
    const publisher = new FakePublisher((message) => message.subject.includes('bucket-b'));
    const { notifier } = setup({ publisher });
    const event = sqsEventOf(
      complianceEvent({ resourceId: 'bucket-a' }),
      complianceEvent({ resourceId: 'bucket-b' }),
    );
    // Act
    const response = await notifier.processBatch(event);
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.messageId }]);
    expect(publisher.sent.map((message) => message.document.resourceId)).toEqual(['bucket-a']);
  });

  it('fails every record of a digest SNS refused', async () => {
    // Prepare
    const publisher = new FakePublisher((message) => message.attributes.alertType === 'digest');
    const { notifier } = setup({ publisher, digestAbove: 2 });
    const event = sqsEventOf(
      ...[1, 2, 3].map((n) => complianceEvent({ resourceId: `bucket-${n}` })),
      complianceEvent({
        resourceId: 'vpce-1',
        configRuleName: 'vpce-guard-interface-endpoint-private-dns',
      }),
    );
    // Act
    const response = await notifier.processBatch(event);
    // Assess
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      event.Records.slice(0, 3).map((record) => record.messageId),
    );
    expect(publisher.sent).toHaveLength(1);
  });

  it('puts the full reason from the evidence object into the alert', async () => {
    // Prepare
    const detail = `The policy never denies plain HTTP. ${'x'.repeat(400)}`;
    const evidence: EvidenceReader = {
      read: async (change) => ({
        uri: `s3://reports/evidence/${change.resourceId}.json`,
        record: {
          schemaVersion: 1,
          accountId: change.accountId,
          region: change.region,
          ruleId: change.ruleId,
          resourceType: change.resourceType,
          resourceId: change.resourceId,
          complianceType: change.newState as 'NON_COMPLIANT',
          annotation: change.annotation ?? '',
          detail,
          remediation: 'fix it',
          evaluatedAt: change.orderingTimestamp,
        },
      }),
    };
    const { publisher, notifier } = setup({ evidence });
    // Act
    await notifier.processBatch(sqsEventOf(complianceEvent()));
    // Assess
    expect(publisher.sent[0]?.text).toContain(detail);
    expect(publisher.sent[0]?.document.reasonSource).toBe('evidence');
  });
});
