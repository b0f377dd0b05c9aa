import type { Counterexample } from '../model/compliance.js';
import type { EvidenceRecord } from '../model/evidence.js';
import type { AnyRule } from '../rules/rule.js';
import type { ComplianceChange, TransitionKind } from './event.js';
import {
  fitLine,
  MAX_SMS,
  MAX_SUBJECT,
  oneLine,
  quotedLines,
  referenceLines,
  referencesOf,
  resourceConsoleUrl,
  SUBJECT_PREFIX,
} from './format.js';
import { snsMessageBytes } from './publisher.js';

/**
 * One alert as SNS will carry it: a subject, plain text for people (e-mail, and the default for
 * any protocol without its own text), a one-line SMS, a JSON document for programs (SQS, Lambda,
 * HTTP(S)) and the message attributes subscription filter policies match on.
 */
interface AlertMessage {
  subject: string;
  text: string;
  sms: string;
  document: Record<string, unknown>;
  attributes: AlertAttributes;
}

interface AlertAttributes {
  severity: string;
  ruleId: string;
  /** The new state; a digest carries NON_COMPLIANT when it holds any new violation. */
  complianceType: string;
  accountId: string;
  region: string;
  /** `violation`, `resolved` or `digest`. */
  alertType: string;
}

/** A transition joined with what the alert needs to explain it. */
interface Transition {
  change: ComplianceChange;
  kind: TransitionKind;
  rule: AnyRule;
}

/** Where the full reason came from: the evidence object, or Config's 256-character annotation. */
interface Reason {
  text: string;
  source: 'evidence' | 'annotation';
  counterexample?: Counterexample | undefined;
  unverifiable?: boolean | undefined;
  /** s3://… of the evidence object that was (or would have been) read. */
  evidenceUri?: string | undefined;
}

const NO_ANNOTATION = 'AWS Config recorded no annotation for this evaluation.';
/**
 * The reason appears in the text and in each JSON copy of the SNS message; a longer one is
 * shortened here and read whole from the evidence object.
 */
const MAX_REASON = 24_000;
/**
 * SNS takes at most 262,144 bytes of message and attributes. Characters are not bytes: a reason in
 * a non-Latin script takes three bytes a character, and a quote four characters in each JSON copy.
 * The rest of the request (topic, subject) is kept outside this budget.
 */
const SNS_MESSAGE_BUDGET = 262_144 - 2_048;
/** Below this the reason is not shortened further: the fixed parts alone cannot be that large. */
const MIN_REASON = 500;

/** Cuts at `max` UTF-16 units without splitting a surrogate pair (SNS needs valid UTF-8). */
const cutAt = (text: string, max: number): string => {
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
};

const boundedReason = (reason: string, evidenceUri: string | undefined, max: number): string =>
  reason.length <= max
    ? reason
    : `${cutAt(reason, max)}... (shortened; the whole reason is in ${evidenceUri ?? 'the evidence object'})`;

/**
 * The evidence object is overwritten on every evaluation, so it may describe a newer or an older
 * evaluation than the event: use it only when it states the same verdict and is not older.
 */
const evidenceMatches = (change: ComplianceChange, evidence: EvidenceRecord): boolean => {
  if (evidence.complianceType !== change.newState) return false;
  const evaluated = Date.parse(evidence.evaluatedAt);
  return !Number.isNaN(evaluated) && evaluated >= Date.parse(change.orderingTimestamp);
};

const reasonOf = (
  change: ComplianceChange,
  evidence: EvidenceRecord | undefined,
  evidenceUri: string | undefined,
): Reason =>
  evidence && evidenceMatches(change, evidence)
    ? {
        text: evidence.detail || evidence.annotation,
        source: 'evidence',
        counterexample: evidence.counterexample,
        unverifiable: evidence.unverifiable,
        evidenceUri,
      }
    : { text: change.annotation ?? NO_ANNOTATION, source: 'annotation', evidenceUri };

const STATE_WORD = { violation: 'NON_COMPLIANT', resolved: 'RESOLVED' } as const;

const resolvedHow = (change: ComplianceChange): string =>
  change.newState === 'NOT_APPLICABLE'
    ? 'no longer applicable (the resource was deleted or left the rule scope)'
    : 'compliant again';

const subjectOf = ({ change, kind }: Transition): string =>
  fitLine(
    `${SUBJECT_PREFIX} ${STATE_WORD[kind]} ${change.ruleId}: `,
    change.resourceId,
    ` (${change.accountId} ${change.region})`,
    MAX_SUBJECT,
  );

const smsOf = ({ change, kind }: Transition): string =>
  fitLine(
    `vpce-guard ${STATE_WORD[kind]} ${change.ruleId} `,
    change.resourceId,
    ` ${change.accountId} ${change.region}`,
    MAX_SMS,
  );

const counterexampleLines = (example: Counterexample): string[] => [
  'A request that gets through:',
  `  principal ${oneLine(example.principal)}`,
  `  action    ${oneLine(example.action)}`,
  `  resource  ${oneLine(example.resource)}`,
  ...Object.entries(example.context).map(
    ([key, value]) =>
      `  ${oneLine(key)} = ${value === null ? '(absent)' : oneLine(JSON.stringify(value))}`,
  ),
];

const headlineOf = ({ change, kind, rule }: Transition): string =>
  kind === 'violation'
    ? `NON_COMPLIANT: ${rule.title}`
    : `Resolved (${resolvedHow(change)}): ${rule.title}`;

/** The plain-text body: what, where, why in full, how to fix, which requirements, where to look. */
const textOf = (transition: Transition, reason: Reason): string => {
  const { change, rule } = transition;
  const lines = [
    headlineOf(transition),
    '',
    `Resource:   ${change.resourceType} ${change.resourceId}`,
    `Account:    ${change.accountId}`,
    `Region:     ${change.region}`,
    `Rule:       ${rule.id} (AWS Config rule ${change.configRuleName})`,
    `Severity:   ${rule.severity}`,
    `Change:     ${change.oldState ?? 'first evaluation'} -> ${change.newState}`,
    `Evaluated:  ${change.orderingTimestamp}`,
    '',
    transition.kind === 'violation' ? 'Why it is non-compliant' : 'Current evaluation',
    ...quotedLines(reason.text, '  '),
  ];
  if (reason.counterexample) lines.push('', ...counterexampleLines(reason.counterexample));
  if (reason.source === 'annotation') {
    lines.push(
      '',
      `(The full reason was not available${reason.evidenceUri ? ` at ${reason.evidenceUri}` : ''}; this is AWS Config's annotation.)`,
    );
  }
  if (transition.kind === 'violation') {
    lines.push('', 'Remediation', rule.remediation);
    if (rule.remediationExample) lines.push('', 'Example:', rule.remediationExample);
  }
  const references = referenceLines(rule);
  if (references.length > 0) lines.push('', 'Compliance references', ...references);
  lines.push(
    '',
    'Open in AWS Config:',
    resourceConsoleUrl(change.region, change.resourceType, change.resourceId),
  );
  return `${lines.join('\n')}\n`;
};

const attributesOf = ({ change, kind: alertType, rule }: Transition): AlertAttributes => ({
  severity: rule.severity,
  ruleId: rule.id,
  complianceType: change.newState,
  accountId: change.accountId,
  region: change.region,
  alertType,
});

/** The machine-readable form: everything in the text, as fields. */
const documentOf = (transition: Transition, reason: Reason): Record<string, unknown> => {
  const { change, rule } = transition;
  return {
    schemaVersion: 1,
    type: 'vpce-guard.compliance-transition',
    transition: transition.kind,
    accountId: change.accountId,
    region: change.region,
    ruleId: rule.id,
    configRuleName: change.configRuleName,
    ruleTitle: rule.title,
    severity: rule.severity,
    resourceType: change.resourceType,
    resourceId: change.resourceId,
    complianceType: change.newState,
    previousComplianceType: change.oldState ?? null,
    orderingTimestamp: change.orderingTimestamp,
    reason: reason.text,
    reasonSource: reason.source,
    annotation: change.annotation ?? null,
    counterexample: reason.counterexample ?? null,
    unverifiable: reason.unverifiable ?? false,
    evidence: reason.evidenceUri ?? null,
    remediation: rule.remediation,
    frameworks: referencesOf(rule),
    consoleUrl: resourceConsoleUrl(change.region, change.resourceType, change.resourceId),
    eventId: change.eventId ?? null,
  };
};

const buildMessage = (transition: Transition, reason: Reason): AlertMessage => ({
  subject: subjectOf(transition),
  text: textOf(transition, reason),
  sms: smsOf(transition),
  document: documentOf(transition, reason),
  attributes: attributesOf(transition),
});

/**
 * The alert for one transition, its reason shortened until the whole message fits SNS's limit in
 * bytes (a message SNS refuses would fail the record again on every redelivery).
 */
const transitionMessage = (transition: Transition, reason: Reason): AlertMessage => {
  let max = Math.min(MAX_REASON, reason.text.length);
  for (;;) {
    const text = boundedReason(reason.text, reason.evidenceUri, max);
    const message = buildMessage(transition, { ...reason, text });
    const bytes = snsMessageBytes(message);
    if (bytes <= SNS_MESSAGE_BUDGET || max <= MIN_REASON) return message;
    // The reason is most of the message: shrink it by the share that is over, and a bit more.
    max = Math.max(MIN_REASON, Math.floor(max * (SNS_MESSAGE_BUDGET / bytes) * 0.9));
  }
};

export type { AlertAttributes, AlertMessage, Reason, Transition };
export { evidenceMatches, reasonOf, SNS_MESSAGE_BUDGET, STATE_WORD, transitionMessage };
