import { InvalidEventError } from '../errors.js';
import { isRecord } from '../util/json.js';
import { ruleIdOfRuleName } from './rule-names.js';

/**
 * The EventBridge `Config Rules Compliance Change` event, normalised once. Its `detail` has the body
 * of Config's ComplianceChangeNotification: the rule, the resource, and the new and (when the
 * resource was evaluated before) old evaluation results.
 */

const DETAIL_TYPE = 'Config Rules Compliance Change';
const SOURCE = 'aws.config';

/** Compliance values an evaluation result can hold (Config itself may record INSUFFICIENT_DATA). */
type EvaluationState = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE' | 'INSUFFICIENT_DATA';
const STATES: readonly EvaluationState[] = [
  'COMPLIANT',
  'NON_COMPLIANT',
  'NOT_APPLICABLE',
  'INSUFFICIENT_DATA',
];

/** One change of one resource's compliance with one of this product's rules. */
interface ComplianceChange {
  accountId: string;
  region: string;
  /** As AWS Config names it (single-account, organization or conformance-pack copy). */
  configRuleName: string;
  /** The catalogue id it resolves to. */
  ruleId: string;
  resourceType: string;
  resourceId: string;
  newState: EvaluationState;
  /** Absent on a resource's first evaluation. */
  oldState?: EvaluationState | undefined;
  /** The evaluation's OrderingTimestamp (ISO); part of the deduplication key. */
  orderingTimestamp: string;
  /** Config's 256-character annotation of the new result, when there is one. */
  annotation?: string | undefined;
  /** EventBridge event id, for logs. */
  eventId?: string | undefined;
}

type ParsedEvent =
  | { kind: 'change'; change: ComplianceChange }
  /** Well-formed, but not for us: another detail type, another product's rule. */
  | { kind: 'foreign'; reason: string };

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

const stateOf = (value: unknown): EvaluationState | undefined =>
  STATES.find((state) => state === value);

/** An ISO time Date can read, normalised; undefined otherwise. */
const isoTime = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
};

const fail = (message: string): never => {
  throw new InvalidEventError(`Not a usable Config Rules Compliance Change event: ${message}`);
};

/** The qualifier block of an evaluation result, `{}` when absent. */
const qualifierOf = (result: Record<string, unknown>): Record<string, unknown> => {
  const identifier = result.evaluationResultIdentifier;
  if (!isRecord(identifier)) return {};
  return isRecord(identifier.evaluationResultQualifier) ? identifier.evaluationResultQualifier : {};
};

const orderingTimestampOf = (result: Record<string, unknown>): string | undefined => {
  const identifier = result.evaluationResultIdentifier;
  return isRecord(identifier) ? isoTime(identifier.orderingTimestamp) : undefined;
};

/**
 * Reads one SQS message body (the event as EventBridge delivered it). Throws InvalidEventError for
 * anything that cannot be an EventBridge compliance-change event of ours or that lacks what an alert
 * needs; returns `foreign` for valid events the notifier has no business with.
 */
const parseComplianceEvent = (body: string, ruleIds: readonly string[]): ParsedEvent => {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch (error) {
    throw new InvalidEventError('SQS message body is not JSON', { cause: error });
  }
  if (!isRecord(event)) return fail('the message body is not a JSON object');
  if (event.source !== SOURCE || event['detail-type'] !== DETAIL_TYPE) {
    return {
      kind: 'foreign',
      reason: `source ${String(event.source)}, detail-type ${String(event['detail-type'])}`,
    };
  }
  const detail = event.detail;
  if (!isRecord(detail)) return fail('"detail" is missing');
  if (detail.messageType !== undefined && detail.messageType !== 'ComplianceChangeNotification') {
    return { kind: 'foreign', reason: `messageType ${String(detail.messageType)}` };
  }
  const newResult = detail.newEvaluationResult;
  if (!isRecord(newResult)) return fail('"detail.newEvaluationResult" is missing');
  const qualifier = qualifierOf(newResult);
  const configRuleName =
    text(detail.configRuleName) ?? text(qualifier.configRuleName) ?? fail('no configRuleName');
  const ruleId = ruleIdOfRuleName(configRuleName, ruleIds);
  if (ruleId === undefined) {
    return { kind: 'foreign', reason: `Config rule ${configRuleName} is not a vpce-guard rule` };
  }
  const newState =
    stateOf(newResult.complianceType) ??
    fail(`newEvaluationResult.complianceType ${JSON.stringify(newResult.complianceType)}`);
  const oldResult = isRecord(detail.oldEvaluationResult) ? detail.oldEvaluationResult : undefined;
  const change: ComplianceChange = {
    // The detail names the evaluated account and region; the envelope's are the fallback (and
    // differ only if a forwarder rewrote them).
    accountId: text(detail.awsAccountId) ?? text(event.account) ?? fail('no account id'),
    region: text(detail.awsRegion) ?? text(event.region) ?? fail('no region'),
    configRuleName,
    ruleId,
    resourceType:
      text(detail.resourceType) ?? text(qualifier.resourceType) ?? fail('no resourceType'),
    resourceId: text(detail.resourceId) ?? text(qualifier.resourceId) ?? fail('no resourceId'),
    newState,
    oldState: oldResult ? stateOf(oldResult.complianceType) : undefined,
    orderingTimestamp:
      orderingTimestampOf(newResult) ??
      isoTime(newResult.resultRecordedTime) ??
      fail('newEvaluationResult has no orderingTimestamp'),
    annotation: text(newResult.annotation),
    eventId: text(event.id),
  };
  return { kind: 'change', change };
};

/** What a change means for the people on the topic. */
type TransitionKind = 'violation' | 'resolved';

/**
 * Arrivals in NON_COMPLIANT and departures from it. Leaving NON_COMPLIANT for NOT_APPLICABLE (the
 * resource was deleted or left the rule's scope) also closes the violation someone was told about.
 * Same-state repeats, first COMPLIANT results and INSUFFICIENT_DATA moves say nothing new.
 */
const transitionOf = (change: ComplianceChange): TransitionKind | undefined => {
  if (change.newState === change.oldState) return undefined;
  if (change.newState === 'NON_COMPLIANT') return 'violation';
  if (change.oldState === 'NON_COMPLIANT') {
    return change.newState === 'COMPLIANT' || change.newState === 'NOT_APPLICABLE'
      ? 'resolved'
      : undefined;
  }
  return undefined;
};

export type { ComplianceChange, EvaluationState, ParsedEvent, TransitionKind };
export { DETAIL_TYPE, parseComplianceEvent, SOURCE, transitionOf };
