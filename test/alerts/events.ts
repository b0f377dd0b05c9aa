import { readFileSync } from 'node:fs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { EvaluationState } from '../../src/alerts/event.js';

/**
 * Builders for EventBridge `Config Rules Compliance Change` events, starting from the real-shaped
 * fixture (a bucket turning NON_COMPLIANT for the TLS rule) and changing only what a test names.
 */

const FIXTURE = JSON.parse(
  readFileSync(
    new URL('../fixtures/events/config-rules-compliance-change.json', import.meta.url),
    'utf8',
  ),
) as ComplianceEvent;

interface ComplianceEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown> & {
    newEvaluationResult: Record<string, unknown>;
    oldEvaluationResult?: Record<string, unknown>;
  };
}

interface ChangeInput {
  configRuleName?: string;
  resourceId?: string;
  resourceType?: string;
  accountId?: string;
  region?: string;
  newState?: EvaluationState;
  /** `null`: the resource's first evaluation (no old result). */
  oldState?: EvaluationState | null;
  orderingTimestamp?: string;
  annotation?: string | null;
  id?: string;
}

const resultOf = (
  base: Record<string, unknown>,
  input: Required<Pick<ChangeInput, 'configRuleName' | 'resourceId' | 'resourceType'>>,
  state: EvaluationState,
  orderingTimestamp: string,
  annotation: string | null | undefined,
) => {
  const result: Record<string, unknown> = {
    ...base,
    evaluationResultIdentifier: {
      evaluationResultQualifier: {
        configRuleName: input.configRuleName,
        resourceType: input.resourceType,
        resourceId: input.resourceId,
        evaluationMode: 'DETECTIVE',
      },
      orderingTimestamp,
    },
    complianceType: state,
  };
  if (annotation === null) delete result.annotation;
  else if (annotation !== undefined) result.annotation = annotation;
  return result;
};

/** A compliance-change event as EventBridge delivers it to SQS. */
const complianceEvent = (input: ChangeInput = {}): ComplianceEvent => {
  const base = structuredClone(FIXTURE);
  const accountId = input.accountId ?? base.account;
  const region = input.region ?? base.region;
  const names = {
    configRuleName: input.configRuleName ?? String(base.detail.configRuleName),
    resourceId: input.resourceId ?? String(base.detail.resourceId),
    resourceType: input.resourceType ?? String(base.detail.resourceType),
  };
  const newState = input.newState ?? 'NON_COMPLIANT';
  const detail: ComplianceEvent['detail'] = {
    ...base.detail,
    ...names,
    awsAccountId: accountId,
    awsRegion: region,
    newEvaluationResult: resultOf(
      base.detail.newEvaluationResult,
      names,
      newState,
      input.orderingTimestamp ?? '2026-11-29T10:14:51.208Z',
      input.annotation,
    ),
  };
  if (input.oldState === null) delete detail.oldEvaluationResult;
  else {
    detail.oldEvaluationResult = resultOf(
      base.detail.oldEvaluationResult ?? {},
      names,
      input.oldState ?? 'COMPLIANT',
      '2026-11-28T08:02:17.440Z',
      undefined,
    );
  }
  return { ...base, id: input.id ?? base.id, account: accountId, region, detail };
};

let sequence = 0;

const sqsRecordOf = (body: unknown): SQSRecord => {
  sequence += 1;
  return {
    messageId: `0e9a5c1f-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    receiptHandle: `AQEB-receipt-${sequence}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1764411307000',
      SenderId: 'AIDAEXAMPLEEVENTS',
      ApproximateFirstReceiveTimestamp: '1764411307100',
    },
    messageAttributes: {},
    md5OfBody: '0',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:vpce-guard-dev-alerts',
    awsRegion: 'eu-west-1',
  };
};

const sqsEventOf = (...bodies: unknown[]): SQSEvent => ({ Records: bodies.map(sqsRecordOf) });

export type { ChangeInput, ComplianceEvent };
export { complianceEvent, sqsEventOf, sqsRecordOf };
