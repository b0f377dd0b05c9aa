import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ruleIdOfRuleName } from '../alerts/rule-names.js';
import { ReportError } from '../errors.js';
import { RULES } from '../rules/index.js';
import { buildReport } from './build.js';
import { REPORT_ENV } from './env.js';
import {
  importFindings,
  publishSummary,
  readLatestReport,
  storeReport,
  summaryMessage,
} from './publish.js';
import { readAccountCompliance, readAggregatorCompliance } from './sources/config.js';
import { readAccountCoverage, readAggregatorCoverage } from './sources/coverage.js';
import { joinEvidence } from './sources/evidence.js';
import { loadSuppressionsFromBucket } from './suppressions-store.js';

interface ReportRunSummary {
  generatedAt: string;
  evaluations: number;
  failing: number;
  new: number;
  written: Record<string, string>;
  securityHub?: { imported: number; failed: number; skipped: number } | undefined;
  warnings: string[];
}

interface ReportHandlerOptions {
  env?: NodeJS.ProcessEnv;
  config?: ConfigServiceClient;
  s3?: S3Client;
  sns?: SNSClient;
  securityHubFor?: (region: string) => SecurityHubClient;
  logger?: Logger;
  now?: () => Date;
  /** Replaces the real delay between Config retries (tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** `arn:aws:lambda:<region>:<account>:function:<name>` → account and region. */
const whereFrom = (context: Context | undefined, env: NodeJS.ProcessEnv) => {
  const parts = context?.invokedFunctionArn?.split(':') ?? [];
  const region = parts[3] || env.AWS_REGION;
  const accountId = parts[4];
  if (!region || !accountId) {
    throw new ReportError('cannot tell the account and region from the Lambda context');
  }
  return { accountId, region };
};

/**
 * The scheduled report: reads this product's Config results (one account, or an organization
 * through the aggregator), joins the evidence for full reasons, applies the suppressions file of
 * the report bucket, diffs against the last report, writes every format to the bucket, publishes
 * the summary and, when enabled, imports the account's findings into Security Hub.
 */
const createReportHandler = (options: ReportHandlerOptions = {}) => {
  const env = options.env ?? process.env;
  const logger = options.logger ?? new Logger({ serviceName: 'vpce-guard-report' });
  const config = options.config ?? new ConfigServiceClient({ retryMode: 'adaptive' });
  const s3 = options.s3 ?? new S3Client({ retryMode: 'adaptive' });
  const sns = options.sns ?? new SNSClient({});
  const hubs = new Map<string, SecurityHubClient>();
  const securityHubFor =
    options.securityHubFor ??
    ((region: string) => {
      let client = hubs.get(region);
      if (!client) {
        client = new SecurityHubClient({ region });
        hubs.set(region, client);
      }
      return client;
    });
  const now = options.now ?? (() => new Date());

  const run = async (_event: unknown, context?: Context): Promise<ReportRunSummary> => {
    const bucket = env[REPORT_ENV.bucket];
    if (!bucket) throw new ReportError(`${REPORT_ENV.bucket} is not set`);
    const warnings: string[] = [];
    const warn = (message: string) => {
      warnings.push(message);
      logger.warn(message);
    };
    const { accountId, region } = whereFrom(context, env);
    const ruleIds = RULES.map((rule) => rule.id);
    const aggregatorName = env[REPORT_ENV.aggregator] || undefined;
    const read = aggregatorName
      ? await readAggregatorCompliance({
          client: config,
          ruleIds,
          aggregatorName,
          sleep: options.sleep,
        })
      : await readAccountCompliance({
          client: config,
          ruleIds,
          accountId,
          region,
          sleep: options.sleep,
        });
    read.warnings.forEach(warn);
    logger.info('Read Config compliance', {
      rules: read.ruleNames.length,
      evaluations: read.evaluations.length,
      calls: read.calls,
      retries: read.retries,
    });
    const coverageRules = RULES.map((rule) => ({ id: rule.id, resourceType: rule.resourceType }));
    const covered = aggregatorName
      ? await readAggregatorCoverage({
          client: config,
          rules: coverageRules,
          evaluations: read.evaluations,
          aggregatorName,
          sleep: options.sleep,
        })
      : await readAccountCoverage({
          client: config,
          rules: coverageRules,
          evaluations: read.evaluations,
          accountId,
          region,
          deployed: new Set(
            read.ruleNames.flatMap((name) => ruleIdOfRuleName(name, ruleIds) ?? []),
          ),
          sleep: options.sleep,
        });
    covered.warnings.forEach(warn);
    logger.info('Read coverage', {
      checked: covered.coverage.checked,
      gaps: covered.coverage.gaps.length,
      calls: covered.calls,
    });
    const joined = await joinEvidence(read.evaluations, { s3, bucket });
    joined.warnings.forEach(warn);
    logger.info('Joined evidence', {
      joined: joined.joined,
      missing: joined.missing,
      stale: joined.stale,
    });
    const { suppressions, key } = await loadSuppressionsFromBucket(s3, bucket, {
      knownRuleIds: ruleIds,
    });
    if (key) logger.info('Suppressions applied', { key, entries: suppressions.length });
    const store = { s3, bucket, kmsKeyId: env[REPORT_ENV.kmsKey] || undefined };
    const previous = await readLatestReport(store, warn);
    const report = buildReport(joined.evaluations, {
      generatedAt: now(),
      source: aggregatorName
        ? { kind: 'aggregator', name: aggregatorName }
        : { kind: 'config', name: `${accountId}/${region}` },
      suppressions,
      previous,
      coverage: covered.coverage,
    });
    for (const entry of report.suppressions.expired) {
      warn(
        `suppression ${entry.entry + 1} (${entry.ruleId} ${entry.resource}) expired ${entry.expires}`,
      );
    }
    const written = await storeReport(report, store, warn);
    const topic = env[REPORT_ENV.topic];
    if (topic) await publishSummary(sns, topic, summaryMessage(report, bucket, written));
    let securityHub: ReportRunSummary['securityHub'];
    if (env[REPORT_ENV.securityHub] === 'true') {
      const imported = await importFindings(report, {
        clientFor: securityHubFor,
        accountId,
        evidenceLocation: (evidence) => `s3://${bucket}/${evidence}`,
      });
      imported.errors.forEach(warn);
      securityHub = {
        imported: imported.imported,
        failed: imported.failed,
        skipped: imported.skipped,
      };
    }
    const summary: ReportRunSummary = {
      generatedAt: report.generatedAt,
      evaluations: report.summary.evaluations,
      failing: report.summary.failing,
      new: report.diff?.new.length ?? report.summary.failing,
      written,
      ...(securityHub ? { securityHub } : {}),
      warnings,
    };
    logger.info('Report written', { ...summary, warnings: warnings.length });
    return summary;
  };

  return middy<unknown, ReportRunSummary>(run).use(
    injectLambdaContext(logger, { resetKeys: true }),
  );
};

export type { ReportHandlerOptions, ReportRunSummary };
export { createReportHandler };
