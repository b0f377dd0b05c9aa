import { describe, expect, it } from 'vitest';
import { parseComplianceEvent, transitionOf } from '../../src/alerts/event.js';
import { InvalidEventError } from '../../src/errors.js';
import { RULES } from '../../src/rules/index.js';
import { complianceEvent } from './events.js';

const IDS = RULES.map((rule) => rule.id);
const parse = (event: unknown) =>
  parseComplianceEvent(typeof event === 'string' ? event : JSON.stringify(event), IDS);

const changeOf = (event: unknown) => {
  const parsed = parse(event);
  if (parsed.kind !== 'change') throw new Error(`expected a change, got ${parsed.reason}`);
  return parsed.change;
};

describe('parseComplianceEvent', () => {
  it('reads the rule, resource, account, region, states and ordering timestamp', () => {
    // Act
    const change = changeOf(complianceEvent());
    // Assess
    expect(change).toEqual({
      accountId: '111122223333',
      region: 'eu-west-1',
      configRuleName: 'vpce-guard-s3-bucket-policy-tls-only',
      ruleId: 's3-bucket-policy-tls-only',
      resourceType: 'AWS::S3::Bucket',
      resourceId: 'amzn-s3-demo-bucket',
      newState: 'NON_COMPLIANT',
      oldState: 'COMPLIANT',
      orderingTimestamp: '2026-11-29T10:14:51.208Z',
      annotation: expect.stringContaining('No Deny of plain-HTTP requests'),
      eventId: '4c1d6e0b-7f2a-3b8e-9d41-2a5f0c8e7b13',
    });
  });

  it('treats a missing old result as a first evaluation', () => {
    expect(changeOf(complianceEvent({ oldState: null })).oldState).toBeUndefined();
  });

  it('resolves organization rules of member accounts to the catalogue id', () => {
    // Prepare
    const event = complianceEvent({
      configRuleName: 'OrgConfigRule-vpce-guard-vpc-endpoint-policy-restricted-q8k2m1zd',
      resourceType: 'AWS::EC2::VPCEndpoint',
      resourceId: 'vpce-0a1b2c3d4e5f60718',
      accountId: '444455556666',
    });
    // Act
    const change = changeOf(event);
    // Assess
    expect(change.ruleId).toBe('vpc-endpoint-policy-restricted');
    expect(change.accountId).toBe('444455556666');
  });

  it('falls back to the qualifier when the detail omits rule and resource names', () => {
    // Prepare
    const event = complianceEvent();
    delete event.detail.configRuleName;
    delete event.detail.resourceId;
    delete event.detail.resourceType;
    // Act
    const change = changeOf(event);
    // Assess
    expect([change.configRuleName, change.resourceId, change.resourceType]).toEqual([
      'vpce-guard-s3-bucket-policy-tls-only',
      'amzn-s3-demo-bucket',
      'AWS::S3::Bucket',
    ]);
  });

  it('reports other products, detail types and sources as foreign', () => {
    expect(parse(complianceEvent({ configRuleName: 's3-bucket-ssl-requests-only' })).kind).toBe(
      'foreign',
    );
    expect(
      parse({ ...complianceEvent(), 'detail-type': 'Config Configuration Item Change' }).kind,
    ).toBe('foreign');
    expect(parse({ ...complianceEvent(), source: 'aws.securityhub' }).kind).toBe('foreign');
  });

  it('throws InvalidEventError for bodies that cannot be a compliance change', () => {
    const noResult = complianceEvent();
    delete (noResult.detail as Record<string, unknown>).newEvaluationResult;
    const badState = complianceEvent();
    badState.detail.newEvaluationResult.complianceType = 'MAYBE';
    const noTime = complianceEvent();
    noTime.detail.newEvaluationResult.evaluationResultIdentifier = {};
    delete noTime.detail.newEvaluationResult.resultRecordedTime;
    for (const body of ['not json', '[1,2]', noResult, badState, noTime]) {
      expect(() => parse(body)).toThrow(InvalidEventError);
    }
  });
});

describe('transitionOf', () => {
  const kindOf = (newState: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE', oldState: never) =>
    transitionOf(changeOf(complianceEvent({ newState, oldState })));

  it('alerts on arrivals in NON_COMPLIANT, including first evaluations', () => {
    expect(kindOf('NON_COMPLIANT', 'COMPLIANT' as never)).toBe('violation');
    expect(kindOf('NON_COMPLIANT', null as never)).toBe('violation');
    expect(kindOf('NON_COMPLIANT', 'NOT_APPLICABLE' as never)).toBe('violation');
    expect(kindOf('NON_COMPLIANT', 'INSUFFICIENT_DATA' as never)).toBe('violation');
  });

  it('alerts on resolutions of a violation', () => {
    expect(kindOf('COMPLIANT', 'NON_COMPLIANT' as never)).toBe('resolved');
    expect(kindOf('NOT_APPLICABLE', 'NON_COMPLIANT' as never)).toBe('resolved');
  });

  it('says nothing for same-state repeats and moves that never were violations', () => {
    expect(kindOf('NON_COMPLIANT', 'NON_COMPLIANT' as never)).toBeUndefined();
    expect(kindOf('COMPLIANT', 'COMPLIANT' as never)).toBeUndefined();
    expect(kindOf('COMPLIANT', null as never)).toBeUndefined();
    expect(kindOf('NOT_APPLICABLE', 'COMPLIANT' as never)).toBeUndefined();
    expect(kindOf('COMPLIANT', 'NOT_APPLICABLE' as never)).toBeUndefined();
  });
});
