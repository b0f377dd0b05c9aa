import {
  ConfigServiceClient,
  DescribeAggregateComplianceByConfigRulesCommand,
  DescribeComplianceByConfigRuleCommand,
  type EvaluationResult,
  GetAggregateComplianceDetailsByConfigRuleCommand,
  GetComplianceDetailsByConfigRuleCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ruleIdOfRuleName } from '../../../src/alerts/rule-names.js';
import { ReportError } from '../../../src/errors.js';
import {
  readAccountCompliance,
  readAggregatorCompliance,
} from '../../../src/report/sources/config.js';
import { RULES } from '../../../src/rules/index.js';
import { throttled } from '../helpers.js';

const ruleIds = RULES.map((rule) => rule.id);
const config = mockClient(ConfigServiceClient);
const noSleep = { sleep: async () => undefined, minIntervalMs: 0 };

const result = (
  ruleName: string,
  resourceId: string,
  complianceType: string,
  annotation = `${complianceType} ${resourceId}`,
): EvaluationResult => ({
  EvaluationResultIdentifier: {
    EvaluationResultQualifier: {
      ConfigRuleName: ruleName,
      ResourceType: 'AWS::S3::Bucket',
      ResourceId: resourceId,
    },
    OrderingTimestamp: new Date('2026-11-20T10:00:00Z'),
  },
  ComplianceType: complianceType as EvaluationResult['ComplianceType'],
  Annotation: annotation,
  ResultRecordedTime: new Date('2026-11-20T10:00:05Z'),
});

beforeEach(() => config.reset());

describe('ruleIdOfRuleName', () => {
  it('recognises single-account, organization and conformance-pack rule names', () => {
    expect(ruleIdOfRuleName('vpce-guard-s3-bucket-policy-tls-only', ruleIds)).toBe(
      's3-bucket-policy-tls-only',
    );
    expect(
      ruleIdOfRuleName('OrgConfigRule-vpce-guard-s3-bucket-policy-tls-only-ab12cd', ruleIds),
    ).toBe('s3-bucket-policy-tls-only');
    expect(
      ruleIdOfRuleName('vpce-guard-vpc-required-endpoints-conformance-pack-x1y2z3', ruleIds),
    ).toBe('vpc-required-endpoints');
    expect(ruleIdOfRuleName('s3-bucket-versioning-enabled', ruleIds)).toBeUndefined();
    expect(ruleIdOfRuleName('vpce-guard-unknown-rule', ruleIds)).toBeUndefined();
  });
});

describe('readAccountCompliance', () => {
  it('finds the product rules, pages every rule 100 at a time and keeps all verdicts', async () => {
    config
      .on(DescribeComplianceByConfigRuleCommand)
      .resolvesOnce({
        ComplianceByConfigRules: [
          { ConfigRuleName: 'vpce-guard-s3-bucket-policy-tls-only' },
          { ConfigRuleName: 'someone-elses-rule' },
        ],
        NextToken: 'd1',
      })
      // Config can hand back empty pages that still carry a token.
      .resolvesOnce({ ComplianceByConfigRules: [], NextToken: 'd2' })
      .resolvesOnce({
        ComplianceByConfigRules: [{ ConfigRuleName: 'vpce-guard-s3-bucket-policy-vpce-only' }],
      });
    const tls = 'vpce-guard-s3-bucket-policy-tls-only';
    const vpce = 'vpce-guard-s3-bucket-policy-vpce-only';
    config
      .on(GetComplianceDetailsByConfigRuleCommand, { ConfigRuleName: tls })
      .resolvesOnce({ EvaluationResults: [result(tls, 'a', 'NON_COMPLIANT')], NextToken: 't1' })
      .resolvesOnce({
        EvaluationResults: [result(tls, 'b', 'COMPLIANT'), result(tls, 'c', 'NOT_APPLICABLE')],
      });
    config.on(GetComplianceDetailsByConfigRuleCommand, { ConfigRuleName: vpce }).resolves({
      EvaluationResults: [result(vpce, 'a', 'NON_COMPLIANT', 'Could not verify: denied')],
    });

    const read = await readAccountCompliance({
      client: new ConfigServiceClient({}),
      ruleIds,
      accountId: '111122223333',
      region: 'eu-west-1',
      ...noSleep,
    });

    expect(read.ruleNames).toEqual([tls, vpce]);
    expect(read.evaluations.map((e) => [e.ruleId, e.resourceId, e.complianceType])).toEqual([
      ['s3-bucket-policy-tls-only', 'a', 'NON_COMPLIANT'],
      ['s3-bucket-policy-tls-only', 'b', 'COMPLIANT'],
      ['s3-bucket-policy-tls-only', 'c', 'NOT_APPLICABLE'],
      ['s3-bucket-policy-vpce-only', 'a', 'NON_COMPLIANT'],
    ]);
    expect(read.evaluations[0]).toMatchObject({
      accountId: '111122223333',
      region: 'eu-west-1',
      configRuleName: tls,
      evaluatedAt: '2026-11-20T10:00:00.000Z',
    });
    expect(read.evaluations[3]?.unverifiable).toBe(true);
    const detailCalls = config.commandCalls(GetComplianceDetailsByConfigRuleCommand);
    expect(detailCalls.map((call) => call.args[0].input)).toEqual([
      {
        ConfigRuleName: tls,
        ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'],
        Limit: 100,
        NextToken: undefined,
      },
      {
        ConfigRuleName: tls,
        ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'],
        Limit: 100,
        NextToken: 't1',
      },
      {
        ConfigRuleName: vpce,
        ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'],
        Limit: 100,
        NextToken: undefined,
      },
    ]);
    expect(config.commandCalls(DescribeComplianceByConfigRuleCommand)).toHaveLength(3);
  });

  it('stops when the service repeats a pagination token instead of looping forever', async () => {
    const tls = 'vpce-guard-s3-bucket-policy-tls-only';
    config
      .on(DescribeComplianceByConfigRuleCommand)
      .resolves({ ComplianceByConfigRules: [{ ConfigRuleName: tls }] });
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .resolvesOnce({ EvaluationResults: [result(tls, 'a', 'COMPLIANT')], NextToken: 'same' })
      .resolves({ EvaluationResults: [result(tls, 'b', 'COMPLIANT')], NextToken: 'same' });

    const read = await readAccountCompliance({
      client: new ConfigServiceClient({}),
      ruleIds,
      accountId: '111122223333',
      region: 'eu-west-1',
      ...noSleep,
    });

    expect(config.commandCalls(GetComplianceDetailsByConfigRuleCommand)).toHaveLength(2);
    expect(read.evaluations.map((e) => e.resourceId)).toEqual(['a', 'b']);
    expect(read.warnings.join()).toMatch(/repeated a pagination token/);
  });

  it('retries throttled calls with backoff and pacing, then succeeds', async () => {
    const tls = 'vpce-guard-s3-bucket-policy-tls-only';
    config
      .on(DescribeComplianceByConfigRuleCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ ComplianceByConfigRules: [{ ConfigRuleName: tls }] });
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .rejectsOnce(throttled())
      .resolves({ EvaluationResults: [result(tls, 'a', 'NON_COMPLIANT')] });
    const sleeps: number[] = [];

    const read = await readAccountCompliance({
      client: new ConfigServiceClient({}),
      ruleIds,
      accountId: '111122223333',
      region: 'eu-west-1',
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      minIntervalMs: 0,
    });

    expect(read.evaluations).toHaveLength(1);
    expect(read.retries).toBe(3);
    expect(read.calls).toBe(5);
    expect(sleeps).toHaveLength(3);
  });

  it('gives up with a ReportError after the last attempt and on errors that are not throttling', async () => {
    config.on(DescribeComplianceByConfigRuleCommand).rejects(throttled());
    await expect(
      readAccountCompliance({
        client: new ConfigServiceClient({}),
        ruleIds,
        accountId: '111122223333',
        region: 'eu-west-1',
        maxAttempts: 3,
        ...noSleep,
      }),
    ).rejects.toThrow(/DescribeComplianceByConfigRule failed after 3 attempts: Rate exceeded/);
    expect(config.commandCalls(DescribeComplianceByConfigRuleCommand)).toHaveLength(3);

    config.reset();
    config
      .on(DescribeComplianceByConfigRuleCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    await expect(
      readAccountCompliance({
        client: new ConfigServiceClient({}),
        ruleIds,
        accountId: '111122223333',
        region: 'eu-west-1',
        ...noSleep,
      }),
    ).rejects.toBeInstanceOf(ReportError);
    expect(config.commandCalls(DescribeComplianceByConfigRuleCommand)).toHaveLength(1);
  });

  it('spaces calls by the minimum interval', async () => {
    const tls = 'vpce-guard-s3-bucket-policy-tls-only';
    config
      .on(DescribeComplianceByConfigRuleCommand)
      .resolves({ ComplianceByConfigRules: [{ ConfigRuleName: tls }] });
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
    let clock = 1000;
    const sleeps: number[] = [];
    await readAccountCompliance({
      client: new ConfigServiceClient({}),
      ruleIds,
      accountId: '111122223333',
      region: 'eu-west-1',
      minIntervalMs: 250,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    expect(sleeps).toEqual([250]);
  });
});

describe('readAggregatorCompliance', () => {
  it('reads each rule per account and region, with repeated tokens and throttling', async () => {
    const org = 'OrgConfigRule-vpce-guard-s3-bucket-policy-tls-only-ab12cd';
    config
      .on(DescribeAggregateComplianceByConfigRulesCommand)
      .rejectsOnce(throttled())
      .resolvesOnce({
        AggregateComplianceByConfigRules: [
          { ConfigRuleName: org, AccountId: '111111111111', AwsRegion: 'eu-west-1' },
          { ConfigRuleName: 'other-rule', AccountId: '111111111111', AwsRegion: 'eu-west-1' },
        ],
        NextToken: 'p1',
      })
      .resolvesOnce({ AggregateComplianceByConfigRules: [], NextToken: 'p2' })
      .resolvesOnce({
        AggregateComplianceByConfigRules: [
          { ConfigRuleName: org, AccountId: '222222222222', AwsRegion: 'us-east-1' },
        ],
        NextToken: 'p1',
      });
    const aggregateResult = (account: string, region: string, id: string, type: string) => ({
      ...result(org, id, type),
      AccountId: account,
      AwsRegion: region,
    });
    config
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { AccountId: '111111111111' })
      .resolvesOnce({
        AggregateEvaluationResults: [
          aggregateResult('111111111111', 'eu-west-1', 'a', 'NON_COMPLIANT'),
        ],
        NextToken: 'x',
      })
      .rejectsOnce(throttled())
      .resolvesOnce({
        AggregateEvaluationResults: [
          aggregateResult('111111111111', 'eu-west-1', 'b', 'COMPLIANT'),
        ],
      });
    config
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { AccountId: '222222222222' })
      .resolves({
        AggregateEvaluationResults: [
          aggregateResult('222222222222', 'us-east-1', 'c', 'NON_COMPLIANT'),
        ],
      });

    const read = await readAggregatorCompliance({
      client: new ConfigServiceClient({}),
      ruleIds,
      aggregatorName: 'org-aggregator',
      ...noSleep,
    });

    expect(read.evaluations.map((e) => [e.accountId, e.region, e.ruleId, e.resourceId])).toEqual([
      ['111111111111', 'eu-west-1', 's3-bucket-policy-tls-only', 'a'],
      ['111111111111', 'eu-west-1', 's3-bucket-policy-tls-only', 'b'],
      ['222222222222', 'us-east-1', 's3-bucket-policy-tls-only', 'c'],
    ]);
    expect(read.warnings.join()).toMatch(/repeated a pagination token/);
    expect(read.retries).toBe(2);
    const detailInputs = config
      .commandCalls(GetAggregateComplianceDetailsByConfigRuleCommand)
      .map((call) => call.args[0].input);
    // One account and region per call, as the API requires.
    for (const input of detailInputs) {
      expect(input).toMatchObject({
        ConfigurationAggregatorName: 'org-aggregator',
        ConfigRuleName: org,
        Limit: 100,
      });
      expect(input.AccountId).toBeDefined();
      expect(input.AwsRegion).toBeDefined();
    }
    expect(
      detailInputs.filter((input) => input.AccountId === '111111111111').map((i) => i.NextToken),
    ).toEqual([undefined, 'x', 'x']);
  });
});
