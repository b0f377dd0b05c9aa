import {
  ConfigServiceClient,
  DescribeConfigurationAggregatorSourcesStatusCommand,
  DescribeConfigurationRecorderStatusCommand,
  GetAggregateDiscoveredResourceCountsCommand,
  GetDiscoveredResourceCountsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ReportEvaluation } from '../../../src/report/model.js';
import {
  readAccountCoverage,
  readAggregatorCoverage,
} from '../../../src/report/sources/coverage.js';
import { RULES } from '../../../src/rules/index.js';
import { throttled } from '../helpers.js';

const config = mockClient(ConfigServiceClient);
const noSleep = { sleep: async () => undefined, minIntervalMs: 0 };
const rules = RULES.map((rule) => ({ id: rule.id, resourceType: rule.resourceType }));
const bucketRules = rules.filter((rule) => rule.resourceType === 'AWS::S3::Bucket');

const reported = (accountId: string, region: string, ruleId: string): ReportEvaluation => ({
  accountId,
  region,
  ruleId,
  resourceType: rules.find((rule) => rule.id === ruleId)?.resourceType ?? 'unknown',
  resourceId: `resource-of-${ruleId}`,
  complianceType: 'COMPLIANT',
  annotation: 'ok',
  detail: 'ok',
});

beforeEach(() => config.reset());

describe('readAccountCoverage', () => {
  it('names each rule silent where Config records its type, telling undeployed from unreported', async () => {
    config.on(DescribeConfigurationRecorderStatusCommand).resolves({
      ConfigurationRecordersStatus: [{ name: 'default', recording: true }],
    });
    config
      .on(GetDiscoveredResourceCountsCommand)
      .resolvesOnce({
        resourceCounts: [{ resourceType: 'AWS::S3::Bucket', count: 12 }],
        nextToken: 'n1',
      })
      .resolvesOnce({
        resourceCounts: [
          { resourceType: 'AWS::EC2::VPC', count: 2 },
          { resourceType: 'AWS::EC2::RouteTable', count: 0 },
        ],
      });
    const evaluations = [
      reported('111122223333', 'eu-west-1', 's3-bucket-policy-tls-only'),
      reported('111122223333', 'eu-west-1', 'vpc-required-endpoints'),
    ];
    const { coverage, calls } = await readAccountCoverage({
      client: config as unknown as ConfigServiceClient,
      rules,
      evaluations,
      accountId: '111122223333',
      region: 'eu-west-1',
      deployed: new Set(['s3-bucket-policy-tls-only', 'vpc-required-endpoints']),
      ...noSleep,
    });
    expect(coverage.checked).toBe(true);
    // The vpce-only rule is silent over 12 recorded buckets; nothing of the route-table rule is
    // recorded (0 tables), and the VPC rule reported.
    expect(coverage.gaps).toEqual([
      expect.objectContaining({
        kind: 'no-results',
        accountId: '111122223333',
        region: 'eu-west-1',
        ruleId: 's3-bucket-policy-vpce-only',
        resourceType: 'AWS::S3::Bucket',
        recorded: 12,
      }),
    ]);
    expect(coverage.gaps[0]?.reason).toMatch(/not deployed in this account and region/);
    // Both count pages were read: the recorder status once, the counts twice.
    expect(calls).toBe(3);
    const asked = config.commandCalls(GetDiscoveredResourceCountsCommand)[0]?.args[0].input;
    expect([...(asked?.resourceTypes ?? [])].sort()).toEqual(
      [...new Set(rules.map((rule) => rule.resourceType))].sort(),
    );
  });

  it('reports a stopped recorder and a deployed rule that never evaluated', async () => {
    config.on(DescribeConfigurationRecorderStatusCommand).resolves({
      ConfigurationRecordersStatus: [
        { name: 'default', recording: false, lastErrorMessage: 'Insufficient delivery policy' },
      ],
    });
    config.on(GetDiscoveredResourceCountsCommand).resolves({
      resourceCounts: [{ resourceType: 'AWS::S3::Bucket', count: 3 }],
    });
    const { coverage } = await readAccountCoverage({
      client: config as unknown as ConfigServiceClient,
      rules: bucketRules,
      evaluations: [],
      accountId: '111122223333',
      region: 'us-east-1',
      deployed: new Set(bucketRules.map((rule) => rule.id)),
      ...noSleep,
    });
    expect(coverage.gaps.map((gap) => [gap.kind, gap.ruleId])).toEqual([
      ['no-results', 's3-bucket-policy-tls-only'],
      ['no-results', 's3-bucket-policy-vpce-only'],
      ['recorder-off', undefined],
    ]);
    expect(coverage.gaps[0]?.reason).toMatch(/exists but has not evaluated/);
    expect(coverage.gaps[2]?.reason).toMatch(/not recording.*Insufficient delivery policy/);
  });

  it('marks coverage unchecked, keeping what it found, when a read is denied', async () => {
    config.on(DescribeConfigurationRecorderStatusCommand).resolves({
      ConfigurationRecordersStatus: [],
    });
    config.on(GetDiscoveredResourceCountsCommand).rejects(
      Object.assign(new Error('not authorized to perform config:GetDiscoveredResourceCounts'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const { coverage, warnings } = await readAccountCoverage({
      client: config as unknown as ConfigServiceClient,
      rules,
      evaluations: [],
      accountId: '111122223333',
      region: 'us-east-1',
      deployed: new Set(),
      ...noSleep,
    });
    expect(coverage.checked).toBe(false);
    expect(coverage.note).toMatch(/GetDiscoveredResourceCounts.*not authorized/);
    expect(coverage.gaps.map((gap) => gap.kind)).toEqual(['recorder-off']);
    expect(warnings).toEqual([coverage.note]);
  });
});

describe('readAggregatorCoverage', () => {
  it('lists failed and outdated sources and every account where a rule is silent, per region', async () => {
    config
      .on(DescribeConfigurationAggregatorSourcesStatusCommand)
      .resolvesOnce({
        AggregatedSourceStatusList: [
          {
            SourceId: 'o-abcdef1234',
            SourceType: 'ORGANIZATION',
            AwsRegion: 'us-east-1',
            LastUpdateStatus: 'SUCCEEDED',
          },
        ],
        NextToken: 's1',
      })
      .resolvesOnce({
        AggregatedSourceStatusList: [
          {
            SourceId: 'o-abcdef1234',
            SourceType: 'ORGANIZATION',
            AwsRegion: 'eu-west-1',
            LastUpdateStatus: 'FAILED',
            LastErrorCode: 'OrganizationAccessDeniedException',
            LastErrorMessage: 'the aggregator lost access',
            LastUpdateTime: new Date('2026-11-28T06:00:00Z'),
          },
          {
            SourceId: '444455556666',
            SourceType: 'ACCOUNT',
            AwsRegion: 'us-east-1',
            LastUpdateStatus: 'OUTDATED',
          },
        ],
      });
    config.on(GetAggregateDiscoveredResourceCountsCommand).callsFake((input) => {
      const { ResourceType, Region } = input.Filters ?? {};
      if (ResourceType !== 'AWS::S3::Bucket') return { GroupedResourceCounts: [] };
      if (Region === 'us-east-1' && !input.NextToken) {
        return {
          GroupedResourceCounts: [{ GroupName: '111122223333', ResourceCount: 40 }],
          NextToken: 'c1',
        };
      }
      if (Region === 'us-east-1') {
        return { GroupedResourceCounts: [{ GroupName: '222233334444', ResourceCount: 5 }] };
      }
      return { GroupedResourceCounts: [{ GroupName: '111122223333', ResourceCount: 7 }] };
    });
    const evaluations = [
      // Account 1 reports both bucket rules in us-east-1; only one in eu-west-1.
      reported('111122223333', 'us-east-1', 's3-bucket-policy-tls-only'),
      reported('111122223333', 'us-east-1', 's3-bucket-policy-vpce-only'),
      reported('111122223333', 'eu-west-1', 's3-bucket-policy-tls-only'),
    ];
    const { coverage } = await readAggregatorCoverage({
      client: config as unknown as ConfigServiceClient,
      rules: bucketRules,
      evaluations,
      aggregatorName: 'org-aggregator',
      ...noSleep,
    });
    expect(coverage.checked).toBe(true);
    expect(
      coverage.gaps.map((gap) => [gap.accountId, gap.region, gap.kind, gap.ruleId, gap.recorded]),
    ).toEqual([
      ['111122223333', 'eu-west-1', 'no-results', 's3-bucket-policy-vpce-only', 7],
      // Account 2 records 5 buckets and neither rule reported: rules never deployed there.
      ['222233334444', 'us-east-1', 'no-results', 's3-bucket-policy-tls-only', 5],
      ['222233334444', 'us-east-1', 'no-results', 's3-bucket-policy-vpce-only', 5],
      ['444455556666', 'us-east-1', 'source-outdated', undefined, undefined],
      ['o-abcdef1234', 'eu-west-1', 'source-failed', undefined, undefined],
    ]);
    expect(coverage.gaps[4]?.reason).toMatch(
      /organization source.*2026-11-28T06:00:00.000Z.*OrganizationAccessDeniedException the aggregator lost access/,
    );
    // One count read per type and region the sources name, grouped by account, paged.
    const countCalls = config.commandCalls(GetAggregateDiscoveredResourceCountsCommand);
    expect(countCalls.map((call) => call.args[0].input.Filters?.Region)).toEqual([
      'eu-west-1',
      'us-east-1',
      'us-east-1',
    ]);
    expect(countCalls.every((call) => call.args[0].input.GroupByKey === 'ACCOUNT_ID')).toBe(true);
  });

  it('retries throttling and reads regions that only the results name', async () => {
    config
      .on(DescribeConfigurationAggregatorSourcesStatusCommand)
      .rejectsOnce(throttled())
      .resolves({ AggregatedSourceStatusList: [] });
    config
      .on(GetAggregateDiscoveredResourceCountsCommand)
      .resolves({ GroupedResourceCounts: [{ GroupName: '111122223333', ResourceCount: 1 }] });
    const { coverage, calls } = await readAggregatorCoverage({
      client: config as unknown as ConfigServiceClient,
      rules: bucketRules,
      evaluations: bucketRules.map((rule) => reported('111122223333', 'ap-south-1', rule.id)),
      aggregatorName: 'org-aggregator',
      ...noSleep,
    });
    expect(coverage).toMatchObject({ checked: true, gaps: [] });
    expect(calls).toBe(3);
    expect(
      config.commandCalls(GetAggregateDiscoveredResourceCountsCommand)[0]?.args[0].input.Filters,
    ).toEqual({ ResourceType: 'AWS::S3::Bucket', Region: 'ap-south-1' });
  });
});
