import { describe, expect, it } from 'vitest';
import { digestMessage } from '../../src/alerts/digest.js';
import { parseComplianceEvent, transitionOf } from '../../src/alerts/event.js';
import { resourceConsoleUrl } from '../../src/alerts/format.js';
import { reasonOf, type Transition, transitionMessage } from '../../src/alerts/message.js';
import { messageStructureOf, publishInputOf } from '../../src/alerts/publisher.js';
import { requirementTitle } from '../../src/frameworks/requirements.js';
import type { ComplianceType } from '../../src/model/compliance.js';
import type { EvidenceRecord } from '../../src/model/evidence.js';
import { findRule, RULES } from '../../src/rules/index.js';
import { type ChangeInput, complianceEvent } from './events.js';

const IDS = RULES.map((rule) => rule.id);

const transitionOf_ = (input: ChangeInput = {}): Transition => {
  const parsed = parseComplianceEvent(JSON.stringify(complianceEvent(input)), IDS);
  if (parsed.kind !== 'change') throw new Error(parsed.reason);
  const kind = transitionOf(parsed.change);
  const rule = findRule(parsed.change.ruleId);
  if (!kind || !rule) throw new Error('not a transition');
  return { change: parsed.change, kind, rule };
};

const FULL_REASON = `${'The bucket policy has no statement that denies plain-HTTP requests. '.repeat(6)}Statement AllowReaders allows s3:GetObject to every principal in the account.`;

const evidenceFor = (transition: Transition, overrides: Partial<EvidenceRecord> = {}) =>
  ({
    schemaVersion: 1,
    accountId: transition.change.accountId,
    region: transition.change.region,
    ruleId: transition.change.ruleId,
    resourceType: transition.change.resourceType,
    resourceId: transition.change.resourceId,
    complianceType: transition.change.newState as ComplianceType,
    annotation: transition.change.annotation ?? '',
    detail: FULL_REASON,
    counterexample: {
      principal: 'arn:aws:iam::111122223333:role/reader',
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::amzn-s3-demo-bucket/report.csv',
      context: { 'aws:SecureTransport': 'false', 'aws:SourceVpce': null },
    },
    remediation: transition.rule.remediation,
    evaluatedAt: transition.change.orderingTimestamp,
    ...overrides,
  }) satisfies EvidenceRecord;

describe('transitionMessage', () => {
  it('writes a body with title, resource, account, region, full reason, remediation, references and console link', () => {
    // Prepare
    const transition = transitionOf_();
    const reason = reasonOf(transition.change, evidenceFor(transition), 's3://reports/key.json');
    // Act
    const message = transitionMessage(transition, reason);
    // Assess
    const rule = transition.rule;
    expect(message.text).toContain(rule.title);
    expect(message.text).toContain('AWS::S3::Bucket amzn-s3-demo-bucket');
    expect(message.text).toContain('111122223333');
    expect(message.text).toContain('eu-west-1');
    expect(message.text).toContain(FULL_REASON);
    expect(FULL_REASON.length).toBeGreaterThan(256);
    expect(message.text).toContain('principal arn:aws:iam::111122223333:role/reader');
    expect(message.text).toContain('aws:SourceVpce = (absent)');
    expect(message.text).toContain(rule.remediation);
    for (const ref of rule.frameworks) {
      expect(message.text).toContain(ref.id);
      const title = requirementTitle(ref.framework, ref.id);
      if (title) expect(message.text).toContain(title);
    }
    expect(message.text).toContain('PCI DSS 4.0');
    expect(message.text).toContain(
      'https://eu-west-1.console.aws.amazon.com/config/home?region=eu-west-1#/resources/details?resourceId=amzn-s3-demo-bucket&resourceType=AWS%3A%3AS3%3A%3ABucket',
    );
    expect(message.text).not.toContain("this is AWS Config's annotation");
  });

  it('falls back to the annotation, and says so, when the evidence is missing or describes another evaluation', () => {
    // Prepare
    const transition = transitionOf_();
    const cases = [
      undefined,
      evidenceFor(transition, { complianceType: 'COMPLIANT' }),
      evidenceFor(transition, { evaluatedAt: '2026-11-01T00:00:00.000Z' }),
    ];
    for (const evidence of cases) {
      // Act
      const message = transitionMessage(
        transition,
        reasonOf(transition.change, evidence, 's3://reports/evidence/x.json'),
      );
      // Assess
      expect(message.text).toContain(transition.change.annotation);
      expect(message.text).not.toContain(FULL_REASON);
      expect(message.text).toContain('s3://reports/evidence/x.json');
      expect(message.document.reasonSource).toBe('annotation');
    }
  });

  it('announces resolutions without remediation', () => {
    // Prepare
    const transition = transitionOf_({ newState: 'COMPLIANT', oldState: 'NON_COMPLIANT' });
    // Act
    const message = transitionMessage(
      transition,
      reasonOf(transition.change, undefined, undefined),
    );
    // Assess
    expect(message.subject).toMatch(/^\[vpce-guard\] RESOLVED s3-bucket-policy-tls-only: /);
    expect(message.text).toMatch(/^Resolved \(compliant again\): /);
    expect(message.text).not.toContain('Remediation');
    expect(message.attributes).toMatchObject({
      complianceType: 'COMPLIANT',
      alertType: 'resolved',
    });
  });

  it('keeps subjects under 100 printable ASCII characters whatever the resource id', () => {
    // Prepare
    const ids = [
      'amzn-s3-demo-bucket',
      `arn:aws:ec2:eu-west-1:111122223333:vpc-endpoint/${'vpce-0123456789abcdef0'.repeat(6)}`,
      'bücket-with-ünïcode\nand-a-newline',
    ];
    for (const resourceId of ids) {
      // Act
      const message = transitionMessage(
        transitionOf_({ resourceId }),
        reasonOf(transitionOf_({ resourceId }).change, undefined, undefined),
      );
      // Assess
      expect(message.subject.length).toBeLessThan(100);
      expect(message.subject).toMatch(/^[\x20-\x7e]+$/);
      expect(message.subject).toContain('(111122223333 eu-west-1)');
      expect(message.sms.length).toBeLessThanOrEqual(140);
    }
  });

  it('carries the attributes subscription filters match on', () => {
    // Prepare
    const transition = transitionOf_();
    // Act
    const input = publishInputOf(
      'arn:aws:sns:eu-west-1:111122223333:alerts',
      transitionMessage(transition, reasonOf(transition.change, undefined, undefined)),
    );
    // Assess
    expect(input.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: transition.rule.severity },
      ruleId: { DataType: 'String', StringValue: 's3-bucket-policy-tls-only' },
      complianceType: { DataType: 'String', StringValue: 'NON_COMPLIANT' },
      accountId: { DataType: 'String', StringValue: '111122223333' },
      region: { DataType: 'String', StringValue: 'eu-west-1' },
      alertType: { DataType: 'String', StringValue: 'violation' },
    });
  });

  it('uses SNS JSON message structure: text for people, the JSON document for programs', () => {
    // Prepare
    const transition = transitionOf_();
    const message = transitionMessage(
      transition,
      reasonOf(transition.change, evidenceFor(transition), 's3://b/k'),
    );
    // Act
    const input = publishInputOf('arn:aws:sns:eu-west-1:111122223333:alerts', message);
    const structure = JSON.parse(input.Message ?? '') as Record<string, string>;
    // Assess
    expect(input.MessageStructure).toBe('json');
    expect(structure.default).toBe(message.text);
    expect(structure.email).toBe(message.text);
    expect(structure.sms).toBe(message.sms);
    for (const protocol of ['sqs', 'lambda', 'http', 'https']) {
      const document = JSON.parse(structure[protocol] ?? '');
      expect(document).toMatchObject({
        type: 'vpce-guard.compliance-transition',
        transition: 'violation',
        ruleId: 's3-bucket-policy-tls-only',
        resourceId: 'amzn-s3-demo-bucket',
        complianceType: 'NON_COMPLIANT',
        previousComplianceType: 'COMPLIANT',
        reason: FULL_REASON,
        reasonSource: 'evidence',
        evidence: 's3://b/k',
      });
      expect(document.frameworks.length).toBe(transition.rule.frameworks.length);
    }
    expect(Object.keys(messageStructureOf(message)).sort()).toEqual(
      ['default', 'email', 'http', 'https', 'lambda', 'sms', 'sqs'].sort(),
    );
  });
});

describe('digestMessage', () => {
  const many = (violations: number, resolved: number): Transition[] => [
    ...Array.from({ length: violations }, (_, index) =>
      transitionOf_({ resourceId: `bucket-${String(index).padStart(3, '0')}` }),
    ),
    ...Array.from({ length: resolved }, (_, index) =>
      transitionOf_({
        resourceId: `fixed-${index}`,
        newState: 'COMPLIANT',
        oldState: 'NON_COMPLIANT',
      }),
    ),
  ];

  it('counts violations and resolutions and lists the first resources', () => {
    // Prepare
    const transitions = many(287, 3);
    const rule = transitions[0]?.rule ?? RULES[0];
    if (!rule) throw new Error('no rule');
    // Act
    const message = digestMessage(
      {
        rule,
        accountId: '111122223333',
        region: 'eu-west-1',
        configRuleName: 'vpce-guard-s3-bucket-policy-tls-only',
      },
      transitions,
    );
    // Assess
    expect(message.subject).toBe(
      '[vpce-guard] 287 NON_COMPLIANT, 3 RESOLVED: s3-bucket-policy-tls-only (111122223333 eu-west-1)',
    );
    expect(message.subject.length).toBeLessThan(100);
    expect(message.text).toContain('New violations (287; the first 25):');
    expect(message.text).toContain('bucket-000');
    expect(message.text).toContain('bucket-024');
    expect(message.text).not.toContain('bucket-025');
    expect(message.text).toContain('... and 262 more');
    expect(message.text).toContain('Resolved (3):');
    expect(message.text).toContain(rule.remediation);
    expect(message.text).toContain(
      '#/rules/details?configRuleName=vpce-guard-s3-bucket-policy-tls-only',
    );
    expect(message.attributes).toMatchObject({
      complianceType: 'NON_COMPLIANT',
      alertType: 'digest',
    });
    const listed = (message.document.transitions as unknown[]).length;
    expect(message.document).toMatchObject({ counts: { violation: 287, resolved: 3 } });
    expect(listed + Number(message.document.omitted)).toBe(290);
    expect(listed).toBeGreaterThanOrEqual(100);
    expect(JSON.stringify(messageStructureOf(message)).length).toBeLessThan(256 * 1024);
  });

  it('stays within the SNS size limit for very large groups', () => {
    // Prepare
    const transitions = many(2_000, 0);
    const rule = transitions[0]?.rule;
    if (!rule) throw new Error('no rule');
    // Act
    const message = digestMessage(
      { rule, accountId: '111122223333', region: 'eu-west-1', configRuleName: 'vpce-guard-x' },
      transitions,
    );
    // Assess
    const size = Buffer.byteLength(JSON.stringify(messageStructureOf(message)));
    expect(size).toBeLessThan(256 * 1024);
    expect(message.document.omitted).toBeGreaterThan(0);
  });
});

describe('resourceConsoleUrl', () => {
  it('uses the console of the region partition', () => {
    expect(resourceConsoleUrl('cn-north-1', 'AWS::EC2::VPC', 'vpc-1')).toMatch(
      /^https:\/\/console\.amazonaws\.cn\/config\/home\?region=cn-north-1#/,
    );
    expect(resourceConsoleUrl('us-gov-west-1', 'AWS::EC2::VPC', 'vpc-1')).toMatch(
      /^https:\/\/console\.amazonaws-us-gov\.com\//,
    );
  });
});
