import { describe, expect, it } from 'vitest';
import { digestMessage } from '../../src/alerts/digest.js';
import { parseComplianceEvent, transitionOf } from '../../src/alerts/event.js';
import { reasonOf, type Transition, transitionMessage } from '../../src/alerts/message.js';
import { publishInputOf } from '../../src/alerts/publisher.js';
import type { EvidenceRecord } from '../../src/model/evidence.js';
import { findRule, RULES } from '../../src/rules/index.js';
import { type ChangeInput, complianceEvent } from './events.js';

/** SNS counts the message and every attribute's name, type and value: 262,144 bytes in all. */
const SNS_LIMIT = 262_144;
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:vpce-guard-alerts';

const publishedBytes = (input: ReturnType<typeof publishInputOf>): number => {
  let bytes = Buffer.byteLength(input.Message ?? '');
  for (const [name, value] of Object.entries(input.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    bytes += Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
};

const transitionFor = (input: ChangeInput = {}): Transition => {
  const parsed = parseComplianceEvent(
    JSON.stringify(complianceEvent(input)),
    RULES.map((rule) => rule.id),
  );
  if (parsed.kind !== 'change') throw new Error(parsed.reason);
  const kind = transitionOf(parsed.change);
  const rule = findRule(parsed.change.ruleId);
  if (!kind || !rule) throw new Error('not a transition');
  return { change: parsed.change, kind, rule };
};

const evidenceWith = (transition: Transition, detail: string): EvidenceRecord => ({
  schemaVersion: 1,
  accountId: transition.change.accountId,
  region: transition.change.region,
  ruleId: transition.change.ruleId,
  resourceType: transition.change.resourceType,
  resourceId: transition.change.resourceId,
  complianceType: 'NON_COMPLIANT',
  annotation: transition.change.annotation ?? '',
  detail,
  remediation: transition.rule.remediation,
  evaluatedAt: transition.change.orderingTimestamp,
});

describe('alerts stay within the SNS message size', () => {
  it('fits a full reason that quotes escaped policy text (each quote grows again in the JSON copies)', () => {
    // Prepare: a reason listing the statements that let requests in, as policy JSON.
    const statement = JSON.stringify({
      Sid: 'AllowPartnerReads',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::444455556666:root' },
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::amzn-s3-demo-bucket', 'arn:aws:s3:::amzn-s3-demo-bucket/*'],
      Condition: { StringEquals: { 'aws:PrincipalTag/team': 'a"b\\c' } },
    });
    // As AWS Config records it: the policy is a JSON string inside the item, quotes escaped.
    const detail = `Statements that let requests in: ${JSON.stringify(statement).repeat(400)}`;
    const transition = transitionFor();
    const reason = reasonOf(transition.change, evidenceWith(transition, detail), 's3://r/k.json');

    // Act
    const input = publishInputOf(TOPIC, transitionMessage(transition, reason));

    // Assess
    expect(publishedBytes(input)).toBeLessThanOrEqual(SNS_LIMIT);
    expect(input.Message).toContain('AllowPartnerReads');
    expect(input.Message).toContain('s3://r/k.json');
  });

  it('fits a full reason in a non-Latin script (bytes, not characters, count)', () => {
    // Prepare: tag values and descriptions in the reason may be in any script.
    const detail =
      `バケットポリシーはVPCエンドポイント以外からのアクセスを拒否していません。`.repeat(800);
    const transition = transitionFor();
    const reason = reasonOf(transition.change, evidenceWith(transition, detail), 's3://r/k.json');

    // Act
    const input = publishInputOf(TOPIC, transitionMessage(transition, reason));

    // Assess
    expect(publishedBytes(input)).toBeLessThanOrEqual(SNS_LIMIT);
    expect(input.Message).toContain('バケットポリシー');
  });

  it('fits a digest whose annotations are non-Latin text and quotes', () => {
    // Prepare: 2,000 violations of one rule, each with a 256-character annotation.
    const annotation = `"ポリシー" ${'拒否されていない"'.repeat(40)}`.slice(0, 256);
    const transitions = Array.from({ length: 2_000 }, (_, index) =>
      transitionFor({ resourceId: `bucket-${String(index).padStart(4, '0')}`, annotation }),
    );
    const first = transitions[0];
    if (!first) throw new Error('no transition');

    // Act
    const message = digestMessage(
      {
        rule: first.rule,
        accountId: '111122223333',
        region: 'eu-west-1',
        configRuleName: 'vpce-guard-s3-bucket-policy-tls-only',
      },
      transitions,
    );
    const input = publishInputOf(TOPIC, message);

    // Assess
    expect(publishedBytes(input)).toBeLessThanOrEqual(SNS_LIMIT);
    const listed = (message.document.transitions as unknown[]).length;
    expect(listed).toBeGreaterThan(0);
    expect(listed + Number(message.document.omitted)).toBe(2_000);
  });
});
