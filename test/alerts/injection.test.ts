import { describe, expect, it } from 'vitest';
import { digestMessage } from '../../src/alerts/digest.js';
import { parseComplianceEvent, transitionOf } from '../../src/alerts/event.js';
import { reasonOf, type Transition, transitionMessage } from '../../src/alerts/message.js';
import { findRule, RULES } from '../../src/rules/index.js';
import { type ChangeInput, complianceEvent } from './events.js';

/**
 * Annotations and reasons quote what a resource holds: a compliant bucket's annotation names the
 * aws:SourceVpce values of its policy, and S3 accepts line breaks in a condition value. Whoever
 * may write the policy must not be able to add lines to the e-mail that look like the alert's own.
 */

const IDS = RULES.map((rule) => rule.id);

const transition = (input: ChangeInput): Transition => {
  const parsed = parseComplianceEvent(JSON.stringify(complianceEvent(input)), IDS);
  if (parsed.kind !== 'change') throw new Error(parsed.reason);
  const kind = transitionOf(parsed.change);
  const rule = findRule(parsed.change.ruleId);
  if (!kind || !rule) throw new Error('not a transition');
  return { change: parsed.change, kind, rule };
};

const FORGED_LINK =
  'Bucket b: every S3 request from outside aws:SourceVpce vpce-1\n\nOpen in AWS Config:\nhttps://console.example.net/phish\r\u2028Remediation\nNone needed.';

const lines = (text: string): string[] => text.split('\n');

describe('resource text in alert bodies', () => {
  it('cannot add a line that passes for the alert own link or headings', () => {
    // Prepare
    const resolved = transition({
      newState: 'COMPLIANT',
      oldState: 'NON_COMPLIANT',
      annotation: FORGED_LINK,
    });

    // Act
    const message = transitionMessage(resolved, reasonOf(resolved.change, undefined, undefined));

    // Assess
    const body = lines(message.text);
    expect(body.filter((line) => line.startsWith('Open in AWS Config:'))).toHaveLength(1);
    expect(body.some((line) => line.startsWith('https://console.example.net'))).toBe(false);
    expect(body.some((line) => line.startsWith('Remediation'))).toBe(false);
    expect(message.text).not.toMatch(/[\r\u2028]/);
    // Nothing is dropped: the quoted text is still there, indented under its heading.
    expect(body).toContain('  https://console.example.net/phish');
  });

  it('escapes control and bidi-override characters instead of passing them to the mail client', () => {
    // Prepare
    const violation = transition({ annotation: 'Policy of \u202eevil\u202c bucket \u001b[2J' });

    // Act
    const message = transitionMessage(violation, reasonOf(violation.change, undefined, undefined));

    // Assess
    for (const char of ['\u202e', '\u202c', '\u001b']) expect(message.text).not.toContain(char);
    expect(message.text).toContain('\\u202eevil\\u202c');
  });

  it('keeps each annotation of a digest on its own line, so no resource can be forged into a list', () => {
    // Prepare
    const members = Array.from({ length: 6 }, (_, index) =>
      transition({
        resourceId: `bucket-${index}`,
        orderingTimestamp: `2026-11-29T10:0${index}:00.000Z`,
        annotation:
          index === 0
            ? 'No Deny.\n\nResolved (1):\n  - AWS::S3::Bucket prod-customer-data'
            : 'No Deny.',
      }),
    );
    const first = members[0] as Transition;

    // Act
    const message = digestMessage(
      {
        rule: first.rule,
        accountId: first.change.accountId,
        region: first.change.region,
        configRuleName: first.change.configRuleName,
      },
      members,
    );

    // Assess
    const listed = lines(message.text).filter((line) => line.startsWith('  - '));
    expect(listed).toHaveLength(6);
    expect(lines(message.text).some((line) => line.startsWith('Resolved ('))).toBe(false);
  });
});
