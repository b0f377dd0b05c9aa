import {
  ConfigServiceClient,
  DescribeAggregateComplianceByConfigRulesCommand,
  DescribeComplianceByConfigRuleCommand,
  DescribeConfigurationAggregatorSourcesStatusCommand,
  DescribeConfigurationRecorderStatusCommand,
  GetAggregateComplianceDetailsByConfigRuleCommand,
  GetAggregateDiscoveredResourceCountsCommand,
  GetComplianceDetailsByConfigRuleCommand,
  GetDiscoveredResourceCountsCommand,
} from '@aws-sdk/client-config-service';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { evidenceKey } from '../../src/model/evidence.js';
import { createReportHandler } from '../../src/report/handler.js';

const config = mockClient(ConfigServiceClient);
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const hub = mockClient(SecurityHubClient);

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const RULE = 'vpce-guard-s3-bucket-policy-vpce-only';
const context = {
  invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:vpce-guard-dev-report`,
  functionName: 'vpce-guard-dev-report',
  awsRequestId: 'r-1',
} as Context;
const body = (text: string) => ({ Body: { transformToString: async () => text } as never });
const missing = Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
const FULL = `Statement 1 allows s3:GetObject from any network: ${'details '.repeat(60)}END`;

const result = (resourceId: string, complianceType: string) => ({
  EvaluationResultIdentifier: {
    EvaluationResultQualifier: {
      ConfigRuleName: RULE,
      ResourceType: 'AWS::S3::Bucket',
      ResourceId: resourceId,
    },
    OrderingTimestamp: new Date('2026-11-20T10:00:00Z'),
  },
  ComplianceType: complianceType as never,
  Annotation: `short ${resourceId}`,
});

beforeEach(() => {
  for (const mock of [config, s3, sns, hub]) mock.reset();
  config
    .on(DescribeComplianceByConfigRuleCommand)
    .resolves({ ComplianceByConfigRules: [{ ConfigRuleName: RULE }] });
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
    EvaluationResults: [
      result('open-bucket', 'NON_COMPLIANT'),
      result('website-bucket', 'NON_COMPLIANT'),
      result('closed-bucket', 'COMPLIANT'),
    ],
  });
  config.on(DescribeConfigurationRecorderStatusCommand).resolves({
    ConfigurationRecordersStatus: [{ name: 'default', recording: true }],
  });
  // Three buckets recorded; only the vpce-only rule is deployed and reporting.
  config.on(GetDiscoveredResourceCountsCommand).resolves({
    resourceCounts: [{ resourceType: 'AWS::S3::Bucket', count: 3 }],
  });
  s3.on(GetObjectCommand).rejects(missing);
  s3.on(GetObjectCommand, {
    Key: evidenceKey(ACCOUNT, REGION, 's3-bucket-policy-vpce-only', 'open-bucket'),
  }).resolves(
    body(
      JSON.stringify({
        schemaVersion: 1,
        accountId: ACCOUNT,
        region: REGION,
        ruleId: 's3-bucket-policy-vpce-only',
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'open-bucket',
        complianceType: 'NON_COMPLIANT',
        annotation: 'short open-bucket',
        detail: FULL,
        remediation: 'fix it',
        evaluatedAt: '2026-11-20T10:00:00.000Z',
      }),
    ),
  );
  s3.on(GetObjectCommand, { Key: 'suppressions.yaml' }).resolves(
    body(
      '- {ruleId: s3-bucket-policy-vpce-only, resource: website-*, reason: Public website, expires: 2099-01-01}\n',
    ),
  );
  s3.on(PutObjectCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  hub
    .on(BatchImportFindingsCommand)
    .resolves({ SuccessCount: 3, FailedCount: 0, FailedFindings: [] });
});

const handlerWith = (env: Record<string, string>) =>
  createReportHandler({
    env: {
      REPORT_BUCKET: 'reports-bucket',
      REPORT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:alerts',
      ...env,
    },
    config: new ConfigServiceClient({}),
    s3: new S3Client({}),
    sns: new SNSClient({}),
    securityHubFor: () => new SecurityHubClient({}),
    now: () => new Date('2026-11-20T12:00:00Z'),
    sleep: async () => undefined,
  });

describe('report function', () => {
  it('writes every format under reports/<date>/ and latest, KMS-encrypted, and publishes a summary', async () => {
    const summary = await handlerWith({
      REPORT_KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:111122223333:key/k',
    })({}, context);

    expect(summary).toMatchObject({ evaluations: 3, failing: 1 });
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    const keys = puts.map((put) => put.Key);
    for (const extension of ['json', 'html', 'csv', 'md', 'ocsf.json', 'asff.json']) {
      expect(keys).toContain(`reports/2026-11-20/2026-11-20T120000Z.${extension}`);
      expect(keys).toContain(`reports/latest.${extension}`);
    }
    for (const put of puts) {
      expect(put).toMatchObject({
        Bucket: 'reports-bucket',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k',
      });
    }
    const json = JSON.parse(String(puts.find((put) => put.Key === 'reports/latest.json')?.Body));
    const open = json.evaluations.find(
      (e: { resourceId: string }) => e.resourceId === 'open-bucket',
    );
    // Full reason joined from the evidence object.
    expect(open.detail).toBe(FULL);
    const website = json.evaluations.find(
      (e: { resourceId: string }) => e.resourceId === 'website-bucket',
    );
    expect(website).toMatchObject({
      status: 'SUPPRESSED',
      suppressed: { reason: 'Public website' },
    });
    // The TLS rule is silent over three recorded buckets: a coverage gap, not a clean rule.
    expect(json.coverage).toMatchObject({
      checked: true,
      gaps: [
        {
          kind: 'no-results',
          accountId: ACCOUNT,
          region: REGION,
          ruleId: 's3-bucket-policy-tls-only',
          recorded: 3,
        },
      ],
    });
    expect(json.coverage.gaps[0].reason).toMatch(/not deployed/);
    expect(
      json.rules.find((rule: { ruleId: string }) => rule.ruleId === 's3-bucket-policy-tls-only'),
    ).toMatchObject({ status: 'INSUFFICIENT_DATA', missingIn: [`${ACCOUNT}/${REGION}`] });
    expect(summary.warnings).toEqual([]);

    const published = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(published?.Subject?.length).toBeLessThan(100);
    expect(published?.Subject).toContain('1 failing');
    expect(published?.Message).toContain('s3://reports-bucket/reports/latest.html');
    expect(published?.Message).toContain(
      `Coverage: 1 gap(s)\n- ${ACCOUNT}/${REGION}: AWS Config records 3 AWS::S3::Bucket here, but s3-bucket-policy-tls-only reported no result`,
    );
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);
  });

  it('diffs against the latest report and lists new violations in the summary', async () => {
    await handlerWith({})({}, context);
    const latest = s3
      .commandCalls(PutObjectCommand)
      .map((call) => call.args[0].input)
      .find((put) => put.Key === 'reports/latest.json');
    s3.on(GetObjectCommand, { Key: 'reports/latest.json' }).resolves(body(String(latest?.Body)));
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [
        result('open-bucket', 'NON_COMPLIANT'),
        result('closed-bucket', 'NON_COMPLIANT'),
      ],
    });
    sns.resetHistory();

    const summary = await handlerWith({})({}, context);

    expect(summary.new).toBe(1);
    const message = sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    expect(message).toContain('1 new, 0 resolved, 1 still open');
    expect(message).toContain(
      `${ACCOUNT}/${REGION}/s3-bucket-policy-vpce-only/AWS::S3::Bucket/closed-bucket`,
    );
  });

  it('imports the findings into Security Hub only when the stage parameter turns it on', async () => {
    const summary = await handlerWith({ REPORT_SECURITY_HUB_IMPORT: 'true' })({}, context);
    const calls = hub.commandCalls(BatchImportFindingsCommand);
    expect(calls).toHaveLength(1);
    const findings = calls[0]?.args[0].input.Findings ?? [];
    expect(findings).toHaveLength(3);
    expect(findings.every((finding) => finding.AwsAccountId === ACCOUNT)).toBe(true);
    expect(summary.securityHub).toEqual({ imported: 3, failed: 0, skipped: 0 });
  });

  it('reads the organization through the aggregator when the stage names one', async () => {
    const org = 'OrgConfigRule-vpce-guard-s3-bucket-policy-vpce-only-x1y2';
    config.on(DescribeAggregateComplianceByConfigRulesCommand).resolves({
      AggregateComplianceByConfigRules: [
        { ConfigRuleName: org, AccountId: '444455556666', AwsRegion: 'us-east-1' },
      ],
    });
    config.on(GetAggregateComplianceDetailsByConfigRuleCommand).resolves({
      AggregateEvaluationResults: [
        {
          ...result('member-bucket', 'NON_COMPLIANT'),
          AccountId: '444455556666',
          AwsRegion: 'us-east-1',
        },
      ],
    });

    config.on(DescribeConfigurationAggregatorSourcesStatusCommand).resolves({
      AggregatedSourceStatusList: [
        {
          SourceId: 'o-org1',
          SourceType: 'ORGANIZATION',
          AwsRegion: 'us-east-1',
          LastUpdateStatus: 'SUCCEEDED',
        },
      ],
    });
    // A second member records buckets in the same region and no rule reports there.
    config.on(GetAggregateDiscoveredResourceCountsCommand).callsFake((input) => ({
      GroupedResourceCounts:
        input.Filters?.ResourceType === 'AWS::S3::Bucket'
          ? [
              { GroupName: '444455556666', ResourceCount: 1 },
              { GroupName: '777788889999', ResourceCount: 2 },
            ]
          : [],
    }));

    const summary = await handlerWith({ REPORT_AGGREGATOR_NAME: 'org-aggregator' })({}, context);

    expect(summary).toMatchObject({ evaluations: 1, failing: 1 });
    expect(config.commandCalls(DescribeComplianceByConfigRuleCommand)).toHaveLength(0);
    const json = JSON.parse(
      String(
        s3
          .commandCalls(PutObjectCommand)
          .map((call) => call.args[0].input)
          .find((put) => put.Key === 'reports/latest.json')?.Body,
      ),
    );
    expect(json.source).toEqual({ kind: 'aggregator', name: 'org-aggregator' });
    expect(json.evaluations[0]).toMatchObject({ accountId: '444455556666', region: 'us-east-1' });
    // Every (account, rule) without a result where buckets are recorded; the reporting pair is not.
    expect(
      json.coverage.gaps.map(
        (gap: { accountId: string; ruleId: string }) => `${gap.accountId} ${gap.ruleId}`,
      ),
    ).toEqual([
      '444455556666 s3-bucket-policy-tls-only',
      '777788889999 s3-bucket-policy-tls-only',
      '777788889999 s3-bucket-policy-vpce-only',
    ]);
    expect(json.accounts.map((account: { accountId: string }) => account.accountId)).toEqual([
      '444455556666',
      '777788889999',
    ]);
    expect(json.summary.accounts).toBe(2);
  });
});
