import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { memoryLatestTransitions } from '../../src/alerts/latest.js';
import type { AlertMessage } from '../../src/alerts/message.js';
import { createNotifier } from '../../src/alerts/notifier.js';
import type { AlertPublisher } from '../../src/alerts/publisher.js';
import { AlertDeliveryError } from '../../src/errors.js';
import { RecordingLogger } from '../engine/recording-logger.js';
import { complianceEvent, sqsEventOf } from './events.js';

/**
 * SQS keeps no order across batches, and a record whose alert SNS refused comes back only after
 * its visibility timeout. By then the resource's next transition may have been alerted: the late,
 * older one must not go out after it (a "resolved" arriving after a newer violation tells the team
 * it is over when it is not).
 */

class FlakyPublisher implements AlertPublisher {
  readonly sent: AlertMessage[] = [];
  refuse = false;
  async publish(message: AlertMessage): Promise<string> {
    if (this.refuse) throw new AlertDeliveryError(`refused ${message.subject}`);
    this.sent.push(message);
    return `msg-${this.sent.length}`;
  }
}

const T1 = '2026-11-29T10:00:00.000Z';
const T2 = '2026-11-29T10:20:00.000Z';

const fixed = complianceEvent({
  resourceId: 'bucket-x',
  newState: 'COMPLIANT',
  oldState: 'NON_COMPLIANT',
  orderingTimestamp: T1,
});
const brokenAgain = complianceEvent({
  resourceId: 'bucket-x',
  newState: 'NON_COMPLIANT',
  oldState: 'COMPLIANT',
  orderingTimestamp: T2,
});

const redelivered = (record: SQSRecord) => ({ Records: [{ ...record, receiptHandle: 'again' }] });

describe('a transition that arrives after a newer one of its resource was alerted', () => {
  it('sends no "resolved" after the newer violation it predates', async () => {
    // Prepare
    const publisher = new FlakyPublisher();
    const logger = new RecordingLogger();
    const notifier = createNotifier({ publisher, logger, latest: memoryLatestTransitions() });
    const first = sqsEventOf(fixed);
    const record = first.Records[0] as SQSRecord;

    // Act: SNS refuses the resolution; the newer violation goes out; the resolution comes back.
    publisher.refuse = true;
    // Every record of the batch failed: SQS redelivers the whole batch.
    await expect(notifier.processBatch(first)).rejects.toThrow(/All records failed/);
    publisher.refuse = false;
    await notifier.processBatch(sqsEventOf(brokenAgain));
    const retried = await notifier.processBatch(redelivered(record));

    // Assess
    expect(retried.batchItemFailures).toEqual([]);
    expect(publisher.sent.map((message) => message.attributes.alertType)).toEqual(['violation']);
  });

  it('still sends transitions in order, and alerts when the newest cannot be read', async () => {
    // Prepare
    const publisher = new FlakyPublisher();
    const logger = new RecordingLogger();
    const latest = memoryLatestTransitions();
    const unreadable = {
      ...latest,
      newest: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    };
    const notifier = createNotifier({ publisher, logger, latest });
    const blind = createNotifier({ publisher, logger, latest: unreadable });

    // Act
    await notifier.processBatch(sqsEventOf(fixed));
    await notifier.processBatch(sqsEventOf(brokenAgain));
    await blind.processBatch(sqsEventOf(complianceEvent({ resourceId: 'bucket-y' })));

    // Assess
    expect(publisher.sent.map((message) => message.attributes.alertType)).toEqual([
      'resolved',
      'violation',
      'violation',
    ]);
  });
});
