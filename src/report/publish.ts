import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { BatchImportFindingsCommand } from '@aws-sdk/client-securityhub';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { errorMessage } from '../engine/aws-errors.js';
import { ReportError } from '../errors.js';
import { chunk } from '../util/concurrency.js';
import { readPreviousReport } from './history.js';
import type { ComplianceReport } from './model.js';
import { toAsffFindings } from './render/asff.js';
import { CONTENT_TYPES, EXTENSIONS, REPORT_FORMATS, renderReport } from './render/index.js';

const REPORT_PREFIX = 'reports/';
const LATEST_JSON = `${REPORT_PREFIX}latest.json`;
/** BatchImportFindings accepts at most 100 findings per call. */
const IMPORT_BATCH = 100;
/** SNS subjects must stay under 100 characters. */
const MAX_SUBJECT = 99;
const NEW_LISTED = 20;

interface StoreOptions {
  s3: S3Client;
  bucket: string;
  kmsKeyId?: string | undefined;
}

const isMissing = (error: unknown): boolean => {
  const name = (error as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
};

/** The last report written (`reports/latest.json`), or undefined on the first run. */
const readLatestReport = async (
  options: StoreOptions,
  warn: (message: string) => void,
): Promise<ComplianceReport | undefined> => {
  try {
    const object = await options.s3.send(
      new GetObjectCommand({ Bucket: options.bucket, Key: LATEST_JSON }),
    );
    const text = (await object.Body?.transformToString('utf-8')) ?? '';
    return readPreviousReport(JSON.parse(text), `s3://${options.bucket}/${LATEST_JSON}`);
  } catch (error) {
    if (isMissing(error)) return undefined;
    // A damaged or older-schema previous report only costs the diff; the report itself goes on.
    warn(`previous report not used: ${errorMessage(error)}`);
    return undefined;
  }
};

/** `reports/<date>/<time>.<ext>`: one folder per day, every run kept. */
const reportKeyOf = (generatedAt: string, extension: string): string =>
  `${REPORT_PREFIX}${generatedAt.slice(0, 10)}/${generatedAt.replaceAll(':', '').replace(/\.\d+Z$/, 'Z')}.${extension}`;

/**
 * Writes every format under `reports/<date>/` and again as `reports/latest.<ext>`, SSE-KMS. A format
 * that cannot be rendered (ASFF without account ids) is skipped with a warning; a failed write
 * fails the run, since nobody would otherwise notice the missing report.
 */
const storeReport = async (
  report: ComplianceReport,
  options: StoreOptions,
  warn: (message: string) => void,
): Promise<Record<string, string>> => {
  const written: Record<string, string> = {};
  for (const format of REPORT_FORMATS) {
    let body: string;
    try {
      body = renderReport(report, format, {
        evidenceLocation: (key) => `s3://${options.bucket}/${key}`,
      });
    } catch (error) {
      warn(`${format} report not written: ${errorMessage(error)}`);
      continue;
    }
    const extension = EXTENSIONS[format];
    const dated = reportKeyOf(report.generatedAt, extension);
    for (const key of [dated, `${REPORT_PREFIX}latest.${extension}`]) {
      try {
        await options.s3.send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key: key,
            Body: body,
            ContentType: CONTENT_TYPES[format],
            ServerSideEncryption: 'aws:kms',
            ...(options.kmsKeyId ? { SSEKMSKeyId: options.kmsKeyId } : {}),
          }),
        );
      } catch (error) {
        throw new ReportError(
          `cannot write s3://${options.bucket}/${key}: ${errorMessage(error)}`,
          {
            cause: error,
          },
        );
      }
    }
    written[format] = dated;
  }
  return written;
};

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/** The summary people get by e-mail: counts, what is new, where the report is. */
const summaryMessage = (
  report: ComplianceReport,
  bucket: string,
  written: Record<string, string>,
): { subject: string; message: string } => {
  const { summary, diff } = report;
  const fresh = diff?.new ?? [];
  const subject = clip(
    `vpce-guard report: ${summary.failing} failing${diff ? `, ${fresh.length} new` : ''}, ${summary.accounts} account(s)`,
    MAX_SUBJECT,
  );
  const lines = [
    `vpce-guard compliance report, ${report.generatedAt}`,
    '',
    `Failing: ${summary.failing} (suppressed: ${summary.counts.SUPPRESSED}, compliant: ${summary.counts.COMPLIANT}, not applicable: ${summary.counts.NOT_APPLICABLE})`,
    `Requirements non-compliant: ${summary.requirementsFailing} of ${summary.requirementsTotal}`,
    `Accounts: ${summary.accounts}, regions: ${summary.regions}, resources: ${summary.resources}`,
  ];
  if (diff) {
    lines.push(
      `Since ${diff.previousGeneratedAt}: ${fresh.length} new, ${diff.resolved.length} resolved, ${diff.stillOpen.length} still open`,
    );
  }
  if (fresh.length > 0) {
    lines.push('', 'New violations (account/region/rule/type/resource):');
    lines.push(...fresh.slice(0, NEW_LISTED).map((key) => `- ${key}`));
    if (fresh.length > NEW_LISTED) lines.push(`… and ${fresh.length - NEW_LISTED} more`);
  }
  const { coverage } = report;
  if (coverage && (coverage.gaps.length > 0 || !coverage.checked)) {
    lines.push(
      '',
      `Coverage: ${coverage.gaps.length} gap(s)${coverage.checked ? '' : `, not fully checked (${coverage.note})`}`,
      ...coverage.gaps
        .slice(0, NEW_LISTED)
        .map((gap) => `- ${gap.accountId}/${gap.region}: ${gap.reason}`),
    );
    if (coverage.gaps.length > NEW_LISTED) {
      lines.push(`… and ${coverage.gaps.length - NEW_LISTED} more`);
    }
  }
  const { expired, unused } = report.suppressions;
  if (expired.length > 0 || unused.length > 0) {
    lines.push('', `Suppressions: ${expired.length} expired, ${unused.length} unused`);
  }
  lines.push('', 'Report:');
  for (const [format, key] of Object.entries(written))
    lines.push(`- ${format}: s3://${bucket}/${key}`);
  lines.push(`- latest: s3://${bucket}/${REPORT_PREFIX}latest.html`);
  return { subject, message: lines.join('\n') };
};

const publishSummary = async (
  sns: SNSClient,
  topicArn: string,
  summary: { subject: string; message: string },
): Promise<void> => {
  await sns.send(
    new PublishCommand({ TopicArn: topicArn, Subject: summary.subject, Message: summary.message }),
  );
};

/**
 * Imports the findings of the calling account into Security Hub, 100 per call. With the default
 * product ARN Security Hub only accepts findings whose AwsAccountId is the caller's, so other
 * accounts' findings are left to their own deployment. Failed findings are counted, not retried.
 */
const importFindings = async (
  report: ComplianceReport,
  options: {
    clientFor: (region: string) => SecurityHubClient;
    accountId: string;
    evidenceLocation?: (key: string) => string;
  },
): Promise<{ imported: number; failed: number; skipped: number; errors: string[] }> => {
  const findings = toAsffFindings(report, { evidenceLocation: options.evidenceLocation });
  const own = findings.filter((finding) => finding.AwsAccountId === options.accountId);
  const byRegion = new Map<string, typeof own>();
  for (const finding of own) {
    byRegion.set(finding.Region, [...(byRegion.get(finding.Region) ?? []), finding]);
  }
  const result = {
    imported: 0,
    failed: 0,
    skipped: findings.length - own.length,
    errors: [] as string[],
  };
  for (const [region, regional] of byRegion) {
    const client = options.clientFor(region);
    for (const batch of chunk(regional, IMPORT_BATCH)) {
      const response = await client.send(
        new BatchImportFindingsCommand({ Findings: batch as never }),
      );
      result.imported += response.SuccessCount ?? 0;
      result.failed += response.FailedCount ?? 0;
      for (const failure of (response.FailedFindings ?? []).slice(0, 5)) {
        result.errors.push(`${failure.Id}: ${failure.ErrorCode} ${failure.ErrorMessage}`);
      }
    }
  }
  return result;
};

export type { StoreOptions };
export {
  IMPORT_BATCH,
  importFindings,
  LATEST_JSON,
  publishSummary,
  REPORT_PREFIX,
  readLatestReport,
  reportKeyOf,
  storeReport,
  summaryMessage,
};
