import { InvalidEventError } from '../errors.js';
import { isRecord } from '../util/json.js';

/**
 * What AWS Config sends a custom Lambda rule (aws-config-contract.md §1.1). `@types/aws-lambda` has
 * no type for it. `invokingEvent` and `ruleParameters` are JSON strings.
 */
interface ConfigRuleEvent {
  invokingEvent: string;
  ruleParameters?: string | undefined;
  resultToken: string;
  eventLeftScope?: boolean | undefined;
  executionRoleArn?: string | undefined;
  configRuleArn?: string | undefined;
  configRuleName?: string | undefined;
  configRuleId?: string | undefined;
  accountId?: string | undefined;
  version?: string | undefined;
}

/** The part of an oversized notification the engine needs to fetch the full item. */
interface ConfigurationItemSummary {
  resourceType: string;
  resourceId: string;
  configurationItemCaptureTime: string;
  configurationItemStatus?: string | undefined;
}

type InvokingEvent =
  | {
      messageType: 'ConfigurationItemChangeNotification';
      /** Left raw: `parseConfigurationItem` owns its validation so a bad item can still be reported. */
      configurationItem: Record<string, unknown>;
      /** Paths Config says changed (`Configuration.Associations.0`); undefined when not given. */
      changedProperties?: readonly string[] | undefined;
      notificationCreationTime?: string | undefined;
    }
  | {
      messageType: 'OversizedConfigurationItemChangeNotification';
      configurationItemSummary: ConfigurationItemSummary;
      notificationCreationTime?: string | undefined;
    }
  | { messageType: 'ScheduledNotification'; notificationCreationTime: string };

type MessageType = InvokingEvent['messageType'];

const SUPPORTED_MESSAGE_TYPES: readonly MessageType[] = [
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
  'ScheduledNotification',
];

/** The changed paths of a `configurationItemDiff`; anything unreadable means "unknown". */
const changedPropertiesOf = (diff: unknown): string[] | undefined => {
  if (!isRecord(diff) || !isRecord(diff.changedProperties)) return undefined;
  return Object.keys(diff.changedProperties);
};

const optionalString = (value: unknown, field: string): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new InvalidEventError(`Invalid AWS Config event: ${field} must be a string`);
  }
  return value;
};

const isDateString = (value: unknown): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** Checks the envelope Config hands the Lambda; the invoking event is parsed separately. */
const validateConfigRuleEvent = (raw: unknown): ConfigRuleEvent => {
  if (!isRecord(raw)) {
    throw new InvalidEventError('Invalid AWS Config event: the event is not an object');
  }
  if (typeof raw.invokingEvent !== 'string') {
    throw new InvalidEventError('Invalid AWS Config event: invokingEvent must be a JSON string');
  }
  if (typeof raw.resultToken !== 'string' || raw.resultToken === '') {
    throw new InvalidEventError(
      'Invalid AWS Config event: resultToken is missing (PutEvaluations needs it)',
    );
  }
  if (raw.eventLeftScope !== undefined && typeof raw.eventLeftScope !== 'boolean') {
    throw new InvalidEventError('Invalid AWS Config event: eventLeftScope must be a boolean');
  }
  return {
    invokingEvent: raw.invokingEvent,
    ruleParameters: optionalString(raw.ruleParameters, 'ruleParameters'),
    resultToken: raw.resultToken,
    eventLeftScope: raw.eventLeftScope,
    executionRoleArn: optionalString(raw.executionRoleArn, 'executionRoleArn'),
    configRuleArn: optionalString(raw.configRuleArn, 'configRuleArn'),
    configRuleName: optionalString(raw.configRuleName, 'configRuleName'),
    configRuleId: optionalString(raw.configRuleId, 'configRuleId'),
    accountId: optionalString(raw.accountId, 'accountId'),
    version: optionalString(raw.version, 'version'),
  };
};

const parseSummary = (raw: unknown): ConfigurationItemSummary => {
  if (
    !isRecord(raw) ||
    typeof raw.resourceType !== 'string' ||
    typeof raw.resourceId !== 'string' ||
    !isDateString(raw.configurationItemCaptureTime)
  ) {
    throw new InvalidEventError(
      'Invalid invokingEvent: OversizedConfigurationItemChangeNotification needs a configurationItemSummary with resourceType, resourceId and configurationItemCaptureTime',
    );
  }
  return {
    resourceType: raw.resourceType,
    resourceId: raw.resourceId,
    configurationItemCaptureTime: raw.configurationItemCaptureTime,
    configurationItemStatus: optionalString(
      raw.configurationItemStatus,
      'configurationItemSummary.configurationItemStatus',
    ),
  };
};

/** Parses `invokingEvent`; snapshot-delivery and unknown message types are rejected, not ignored. */
const parseInvokingEvent = (json: string): InvokingEvent => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new InvalidEventError('Invalid invokingEvent: not valid JSON', { cause: error });
  }
  if (!isRecord(parsed)) {
    throw new InvalidEventError('Invalid invokingEvent: must be a JSON object');
  }
  const { messageType } = parsed;
  if (typeof messageType !== 'string' || messageType === '') {
    throw new InvalidEventError('Invalid invokingEvent: messageType is missing');
  }
  const notificationCreationTime = isDateString(parsed.notificationCreationTime)
    ? parsed.notificationCreationTime
    : undefined;
  switch (messageType) {
    case 'ConfigurationItemChangeNotification': {
      if (!isRecord(parsed.configurationItem)) {
        throw new InvalidEventError(
          'Invalid invokingEvent: ConfigurationItemChangeNotification without a configurationItem object',
        );
      }
      return {
        messageType,
        configurationItem: parsed.configurationItem,
        changedProperties: changedPropertiesOf(parsed.configurationItemDiff),
        notificationCreationTime,
      };
    }
    case 'OversizedConfigurationItemChangeNotification':
      return {
        messageType,
        configurationItemSummary: parseSummary(parsed.configurationItemSummary),
        notificationCreationTime,
      };
    case 'ScheduledNotification': {
      if (notificationCreationTime === undefined) {
        throw new InvalidEventError(
          'Invalid invokingEvent: ScheduledNotification without a valid notificationCreationTime',
        );
      }
      return { messageType, notificationCreationTime };
    }
    default:
      throw new InvalidEventError(
        `Unsupported invokingEvent messageType ${JSON.stringify(messageType)}; this rule handles ${SUPPORTED_MESSAGE_TYPES.join(', ')}`,
      );
  }
};

export type { ConfigRuleEvent, ConfigurationItemSummary, InvokingEvent, MessageType };
export { isRecord, parseInvokingEvent, SUPPORTED_MESSAGE_TYPES, validateConfigRuleEvent };
