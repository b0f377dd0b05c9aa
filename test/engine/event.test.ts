import { describe, expect, it } from 'vitest';
import { parseInvokingEvent, validateConfigRuleEvent } from '../../src/engine/event.js';
import { InvalidEventError } from '../../src/errors.js';
import {
  CAPTURE_TIME,
  changeEvent,
  configurationItem,
  loadEventFixture,
  oversizedEvent,
  SCHEDULED_TIME,
  scheduledEvent,
} from '../helpers/events.js';

describe('validateConfigRuleEvent', () => {
  it('accepts a recorded change event', () => {
    // Prepare
    const raw = loadEventFixture('s3-bucket-change');

    // Act
    const event = validateConfigRuleEvent(raw);

    // Assess
    expect(event).toMatchObject({
      configRuleName: 'vpce-guard-s3-bucket-policy-vpce-only',
      accountId: '123456789012',
      eventLeftScope: false,
    });
  });

  it.each([
    ['a non-object event', 'not an event', /not an object/],
    ['a missing invokingEvent', { resultToken: 't' }, /invokingEvent must be a JSON string/],
    ['an object invokingEvent', { invokingEvent: {}, resultToken: 't' }, /invokingEvent/],
    ['a missing resultToken', { invokingEvent: '{}' }, /resultToken is missing/],
    [
      'a non-boolean eventLeftScope',
      { invokingEvent: '{}', resultToken: 't', eventLeftScope: 'true' },
      /eventLeftScope/,
    ],
    [
      'an object ruleParameters',
      { invokingEvent: '{}', resultToken: 't', ruleParameters: { a: 1 } },
      /ruleParameters must be a string/,
    ],
  ])('rejects %s with InvalidEventError', (_case, raw, message) => {
    // Act / Assess
    expect(() => validateConfigRuleEvent(raw)).toThrow(InvalidEventError);
    expect(() => validateConfigRuleEvent(raw)).toThrow(message);
  });
});

describe('parseInvokingEvent', () => {
  it('keeps the paths Config reports as changed, and leaves them unknown without a diff', () => {
    const item = { resourceType: 'AWS::EC2::RouteTable', resourceId: 'rtb-1' };
    const withDiff = parseInvokingEvent(
      JSON.stringify({
        messageType: 'ConfigurationItemChangeNotification',
        configurationItem: item,
        configurationItemDiff: {
          changeType: 'UPDATE',
          changedProperties: { 'Configuration.Routes.2': { changeType: 'CREATE' } },
        },
      }),
    );
    const withoutDiff = parseInvokingEvent(
      JSON.stringify({
        messageType: 'ConfigurationItemChangeNotification',
        configurationItem: item,
        configurationItemDiff: null,
      }),
    );

    expect(withDiff).toMatchObject({ changedProperties: ['Configuration.Routes.2'] });
    expect(withoutDiff).toMatchObject({ changedProperties: undefined });
  });

  it('reads a change notification and keeps the item raw', () => {
    // Prepare
    const item = configurationItem({ resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-1' });

    // Act
    const invoking = parseInvokingEvent(changeEvent(item).invokingEvent);

    // Assess
    expect(invoking).toMatchObject({
      messageType: 'ConfigurationItemChangeNotification',
      configurationItem: { resourceId: 'vpc-1' },
    });
  });

  it('reads the summary of an oversized notification', () => {
    // Prepare
    const event = oversizedEvent({ resourceType: 'AWS::S3::Bucket', resourceId: 'b1' });

    // Act
    const invoking = parseInvokingEvent(event.invokingEvent);

    // Assess
    expect(invoking).toMatchObject({
      messageType: 'OversizedConfigurationItemChangeNotification',
      configurationItemSummary: {
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'b1',
        configurationItemCaptureTime: CAPTURE_TIME,
        configurationItemStatus: 'OK',
      },
    });
  });

  it('reads a scheduled notification with its creation time', () => {
    // Act
    const invoking = parseInvokingEvent(scheduledEvent().invokingEvent);

    // Assess
    expect(invoking).toEqual({
      messageType: 'ScheduledNotification',
      notificationCreationTime: SCHEDULED_TIME,
    });
  });

  it.each([
    ['text that is not JSON', '{"messageType":', /not valid JSON/],
    ['a JSON array', '[]', /must be a JSON object/],
    [
      'a missing messageType',
      '{"notificationCreationTime":"2025-03-14T12:00:00Z"}',
      /messageType is missing/,
    ],
    [
      'an unknown messageType',
      '{"messageType":"SomethingElse"}',
      /Unsupported invokingEvent messageType "SomethingElse"/,
    ],
    [
      'a change without its item',
      '{"messageType":"ConfigurationItemChangeNotification"}',
      /without a configurationItem/,
    ],
    [
      'an oversized notification without a summary',
      '{"messageType":"OversizedConfigurationItemChangeNotification"}',
      /configurationItemSummary/,
    ],
    [
      'a scheduled notification without a time',
      '{"messageType":"ScheduledNotification"}',
      /notificationCreationTime/,
    ],
  ])('rejects %s with InvalidEventError', (_case, json, message) => {
    // Act / Assess
    expect(() => parseInvokingEvent(json)).toThrow(InvalidEventError);
    expect(() => parseInvokingEvent(json)).toThrow(message);
  });

  it('rejects the snapshot-delivery trigger, naming the message types it handles', () => {
    // Prepare
    const event = loadEventFixture('snapshot-delivery-completed');

    // Act / Assess
    expect(() => parseInvokingEvent(event.invokingEvent)).toThrow(
      /ConfigurationSnapshotDeliveryCompleted.*ConfigurationItemChangeNotification, OversizedConfigurationItemChangeNotification, ScheduledNotification/,
    );
  });
});
