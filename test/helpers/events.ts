import { readFileSync } from 'node:fs';
import type { ConfigurationItem as SdkConfigurationItem } from '@aws-sdk/client-config-service';
import type { ConfigRuleEvent } from '../../src/engine/event.js';
import type { ItemStatus } from '../../src/sources/config-item.js';

/**
 * Builders for the events AWS Config sends a custom Lambda rule (the rdklibtest idea): one account,
 * one region and fixed timestamps, so assertions can name exact values.
 */

const ACCOUNT_ID = '123456789012';
const REGION = 'us-east-1';
const CAPTURE_TIME = '2025-03-14T09:26:53.589Z';
const NOTIFICATION_TIME = '2025-03-14T09:27:05.102Z';
const SCHEDULED_TIME = '2025-03-14T12:00:00.373Z';
const RULE_NAME = 'vpce-guard-test-rule';
const RESULT_TOKEN = 'eyJlbmNyeXB0ZWREYXRhIjpbMTIsLTQ1XX0=';

interface ItemInput {
  resourceType: string;
  resourceId: string;
  /** `null` is what Config records for deleted resources. */
  configuration?: Record<string, unknown> | null;
  supplementaryConfiguration?: Record<string, unknown>;
  status?: ItemStatus;
  captureTime?: string;
  tags?: Record<string, string>;
  resourceName?: string;
}

interface EventOptions {
  /** An object is serialised as Config does; a string is passed through untouched. */
  ruleParameters?: Record<string, unknown> | string;
  resultToken?: string;
  eventLeftScope?: boolean;
  /** `null` drops the field (manual invocations carry no rule name). */
  configRuleName?: string | null;
}

const arnOf = (type: string, id: string): string => {
  if (type === 'AWS::S3::Bucket') return `arn:aws:s3:::${id}`;
  const kind = type.split('::')[2]?.toLowerCase() ?? 'resource';
  return `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:${kind}/${id}`;
};

/** A configuration item in notification (event) format: object `configuration`, ISO times. */
const configurationItem = (input: ItemInput): Record<string, unknown> => {
  const status = input.status ?? 'OK';
  const deleted = status !== 'OK' && status !== 'ResourceDiscovered';
  return {
    relatedEvents: [],
    relationships: [],
    configuration: deleted ? null : (input.configuration ?? {}),
    supplementaryConfiguration: deleted ? {} : (input.supplementaryConfiguration ?? {}),
    tags: deleted ? {} : (input.tags ?? {}),
    configurationItemVersion: '1.3',
    configurationItemCaptureTime: input.captureTime ?? CAPTURE_TIME,
    configurationStateId: Date.parse(input.captureTime ?? CAPTURE_TIME),
    awsAccountId: ACCOUNT_ID,
    configurationItemStatus: status,
    resourceType: input.resourceType,
    resourceId: input.resourceId,
    resourceName: input.resourceName ?? null,
    ARN: arnOf(input.resourceType, input.resourceId),
    awsRegion: REGION,
    availabilityZone: input.resourceType === 'AWS::S3::Bucket' ? 'Regional' : 'Not Applicable',
    configurationStateMd5Hash: '',
  };
};

/**
 * The same item as GetResourceConfigHistory returns it through the SDK: JSON-string
 * `configuration` and supplementary values, `Date` times, API field names.
 */
const apiConfigurationItem = (input: ItemInput): SdkConfigurationItem => {
  const status = input.status ?? 'OK';
  const deleted = status !== 'OK' && status !== 'ResourceDiscovered';
  const supplementary = Object.fromEntries(
    Object.entries(input.supplementaryConfiguration ?? {}).map(([key, value]) => [
      key,
      JSON.stringify(value),
    ]),
  );
  return {
    version: '1.3',
    accountId: ACCOUNT_ID,
    configurationItemCaptureTime: new Date(input.captureTime ?? CAPTURE_TIME),
    configurationItemStatus: status,
    configurationStateId: String(Date.parse(input.captureTime ?? CAPTURE_TIME)),
    configurationItemMD5Hash: '',
    arn: arnOf(input.resourceType, input.resourceId),
    resourceType: input.resourceType as SdkConfigurationItem['resourceType'],
    resourceId: input.resourceId,
    ...(input.resourceName ? { resourceName: input.resourceName } : {}),
    awsRegion: REGION,
    availabilityZone: 'Not Applicable',
    tags: deleted ? {} : (input.tags ?? {}),
    relatedEvents: [],
    relationships: [],
    ...(deleted ? {} : { configuration: JSON.stringify(input.configuration ?? {}) }),
    supplementaryConfiguration: deleted ? {} : supplementary,
  };
};

const envelope = (
  invokingEvent: Record<string, unknown>,
  options: EventOptions,
): ConfigRuleEvent => {
  const ruleName = options.configRuleName === undefined ? RULE_NAME : options.configRuleName;
  return {
    invokingEvent: JSON.stringify(invokingEvent),
    ruleParameters:
      typeof options.ruleParameters === 'string'
        ? options.ruleParameters
        : JSON.stringify(options.ruleParameters ?? {}),
    resultToken: options.resultToken ?? RESULT_TOKEN,
    eventLeftScope: options.eventLeftScope ?? false,
    executionRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
    configRuleArn: `arn:aws:config:${REGION}:${ACCOUNT_ID}:config-rule/config-rule-0123456`,
    ...(ruleName === null ? {} : { configRuleName: ruleName }),
    configRuleId: 'config-rule-0123456',
    accountId: ACCOUNT_ID,
    version: '1.0',
  };
};

/** A ConfigurationItemChangeNotification carrying `item` (build it with `configurationItem`). */
/**
 * A ConfigurationItemChangeNotification. `diff` is the item's `configurationItemDiff`, as Config
 * sends it on updates (`{changeType, changedProperties: {path: {...}}}`); none by default.
 */
const changeEvent = (
  item: Record<string, unknown>,
  options: EventOptions = {},
  diff: Record<string, unknown> | null = null,
): ConfigRuleEvent =>
  envelope(
    {
      configurationItemDiff: diff,
      configurationItem: item,
      notificationCreationTime: NOTIFICATION_TIME,
      messageType: 'ConfigurationItemChangeNotification',
      recordVersion: '1.3',
    },
    options,
  );

/** An OversizedConfigurationItemChangeNotification: only the summary of the changed item. */
const oversizedEvent = (
  summary: { resourceType: string; resourceId: string; status?: ItemStatus; captureTime?: string },
  options: EventOptions = {},
): ConfigRuleEvent =>
  envelope(
    {
      configurationItemSummary: {
        changeType: 'UPDATE',
        configurationItemVersion: '1.3',
        configurationItemCaptureTime: summary.captureTime ?? CAPTURE_TIME,
        configurationStateId: Date.parse(summary.captureTime ?? CAPTURE_TIME),
        awsAccountId: ACCOUNT_ID,
        configurationItemStatus: summary.status ?? 'OK',
        resourceType: summary.resourceType,
        resourceId: summary.resourceId,
        resourceName: null,
        ARN: arnOf(summary.resourceType, summary.resourceId),
        awsRegion: REGION,
        availabilityZone: 'Not Applicable',
        configurationStateMd5Hash: '',
        resourceCreationTime: '2024-11-02T10:15:30.000Z',
      },
      s3DeliverySummary: { s3BucketLocation: 'config-bucket/AWSLogs/oversized.json.gz' },
      notificationCreationTime: NOTIFICATION_TIME,
      messageType: 'OversizedConfigurationItemChangeNotification',
      recordVersion: '1.0',
    },
    options,
  );

/** A ScheduledNotification (periodic trigger). */
const scheduledEvent = (
  options: EventOptions & { notificationCreationTime?: string } = {},
): ConfigRuleEvent =>
  envelope(
    {
      awsAccountId: ACCOUNT_ID,
      notificationCreationTime: options.notificationCreationTime ?? SCHEDULED_TIME,
      messageType: 'ScheduledNotification',
      recordVersion: '1.0',
    },
    options,
  );

/** A recorded event from `test/fixtures/events/<name>.json`. */
const loadEventFixture = (name: string): ConfigRuleEvent => {
  const url = new URL(`../fixtures/events/${name}.json`, import.meta.url);
  const document = JSON.parse(readFileSync(url, 'utf8')) as { event: ConfigRuleEvent };
  return document.event;
};

export type { EventOptions, ItemInput, ItemStatus };
export {
  ACCOUNT_ID,
  apiConfigurationItem,
  CAPTURE_TIME,
  changeEvent,
  configurationItem,
  loadEventFixture,
  NOTIFICATION_TIME,
  oversizedEvent,
  REGION,
  RESULT_TOKEN,
  RULE_NAME,
  SCHEDULED_TIME,
  scheduledEvent,
};
