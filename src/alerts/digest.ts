import type { AnyRule } from '../rules/rule.js';
import {
  fitLine,
  MAX_SMS,
  MAX_SUBJECT,
  oneLine,
  referenceLines,
  referencesOf,
  ruleConsoleUrl,
  SUBJECT_PREFIX,
} from './format.js';
import { type AlertMessage, SNS_MESSAGE_BUDGET, type Transition } from './message.js';
import { snsMessageBytes } from './publisher.js';

/**
 * Many transitions of one rule in one account and region, arriving together (a rule's first
 * evaluation of a large account, a sweeping change), become one message: counts, the first
 * resources of each kind with Config's annotation, and the rule's page for the rest.
 */

/** Resources listed per section of the text. */
const LISTED_PER_KIND = 25;
/**
 * Budget for the JSON document. SNS accepts 256 KiB for the whole JSON message structure, which
 * holds the text and one escaped copy of the document per program protocol; items beyond the
 * budget are counted, not listed.
 */
const DOCUMENT_BUDGET = 40_000;

interface DigestScope {
  rule: AnyRule;
  accountId: string;
  region: string;
  configRuleName: string;
}

const byTimeThenId = (a: Transition, b: Transition): number =>
  a.change.orderingTimestamp.localeCompare(b.change.orderingTimestamp) ||
  a.change.resourceId.localeCompare(b.change.resourceId);

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

const section = (title: string, items: readonly Transition[]): string[] => {
  if (items.length === 0) return [];
  const shown = items.slice(0, LISTED_PER_KIND);
  const lines = [
    '',
    `${title} (${items.length}${items.length > shown.length ? `; the first ${shown.length}` : ''}):`,
  ];
  for (const { change } of shown) {
    lines.push(`  - ${change.resourceType} ${change.resourceId}`);
    if (change.annotation) lines.push(`    ${oneLine(change.annotation)}`);
  }
  if (items.length > shown.length) lines.push(`  ... and ${items.length - shown.length} more`);
  return lines;
};

const itemOf = ({ change, kind }: Transition) => ({
  transition: kind,
  resourceType: change.resourceType,
  resourceId: change.resourceId,
  complianceType: change.newState,
  previousComplianceType: change.oldState ?? null,
  orderingTimestamp: change.orderingTimestamp,
  annotation: change.annotation ?? null,
});

/** Items in order until the budget (characters of their JSON) is spent. */
const itemsWithinBudget = (transitions: readonly Transition[], budget: number) => {
  const items: ReturnType<typeof itemOf>[] = [];
  let used = 0;
  for (const transition of transitions) {
    const item = itemOf(transition);
    const size = JSON.stringify(item).length + 1;
    if (used + size > budget) break;
    items.push(item);
    used += size;
  }
  return items;
};

/**
 * The digest of a group, its document's item list shortened until the message fits SNS's limit in
 * bytes: annotations in a non-Latin script take three bytes a character, quotes grow in each copy.
 */
const digestMessage = (scope: DigestScope, transitions: readonly Transition[]): AlertMessage => {
  let budget = DOCUMENT_BUDGET;
  for (;;) {
    const message = digestWithin(scope, transitions, budget);
    const bytes = snsMessageBytes(message);
    if (bytes <= SNS_MESSAGE_BUDGET || budget === 0) return message;
    budget = Math.floor(budget * (SNS_MESSAGE_BUDGET / bytes) * 0.9);
    if (budget < 1_000) budget = 0;
  }
};

const digestWithin = (
  scope: DigestScope,
  transitions: readonly Transition[],
  budget: number,
): AlertMessage => {
  const { rule, accountId, region, configRuleName } = scope;
  const sorted = [...transitions].sort(byTimeThenId);
  const violations = sorted.filter((transition) => transition.kind === 'violation');
  const resolved = sorted.filter((transition) => transition.kind === 'resolved');
  const counts = [
    violations.length > 0 ? `${violations.length} NON_COMPLIANT` : undefined,
    resolved.length > 0 ? `${resolved.length} RESOLVED` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  const first = sorted[0]?.change.orderingTimestamp ?? '';
  const last = sorted.at(-1)?.change.orderingTimestamp ?? '';
  const lines = [
    `Digest: ${plural(violations.length, 'new violation')} and ${plural(resolved.length, 'resolution')} of one rule`,
    rule.title,
    '',
    `Account:    ${accountId}`,
    `Region:     ${region}`,
    `Rule:       ${rule.id} (AWS Config rule ${configRuleName})`,
    `Severity:   ${rule.severity}`,
    `Evaluated:  ${first === last ? first : `${first} to ${last}`}`,
    ...section('New violations', violations),
    ...section('Resolved', resolved),
  ];
  if (violations.length > 0) {
    lines.push('', 'Remediation', rule.remediation);
  }
  const references = referenceLines(rule);
  if (references.length > 0) lines.push('', 'Compliance references', ...references);
  lines.push(
    '',
    'Every result of this rule in AWS Config (full reasons are in the report):',
    ruleConsoleUrl(region, configRuleName),
  );
  const items = itemsWithinBudget(sorted, budget);
  return {
    subject: fitLine(
      `${SUBJECT_PREFIX} ${counts}: `,
      rule.id,
      ` (${accountId} ${region})`,
      MAX_SUBJECT,
    ),
    text: `${lines.join('\n')}\n`,
    sms: fitLine(`vpce-guard ${counts} `, rule.id, ` ${accountId} ${region}`, MAX_SMS),
    document: {
      schemaVersion: 1,
      type: 'vpce-guard.compliance-digest',
      accountId,
      region,
      ruleId: rule.id,
      configRuleName,
      ruleTitle: rule.title,
      severity: rule.severity,
      counts: { violation: violations.length, resolved: resolved.length },
      remediation: rule.remediation,
      frameworks: referencesOf(rule),
      consoleUrl: ruleConsoleUrl(region, configRuleName),
      transitions: items,
      omitted: sorted.length - items.length,
    },
    attributes: {
      severity: rule.severity,
      ruleId: rule.id,
      complianceType: violations.length > 0 ? 'NON_COMPLIANT' : 'COMPLIANT',
      accountId,
      region,
      alertType: 'digest',
    },
  };
};

export type { DigestScope };
export { DOCUMENT_BUDGET, digestMessage, LISTED_PER_KIND };
