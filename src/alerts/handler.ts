import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DeploymentConfigError } from '../errors.js';
import { type Suppression, SuppressionMatcher } from '../report/suppressions.js';
import { loadSuppressionsFromBucket } from '../report/suppressions-store.js';
import { RULES } from '../rules/index.js';
import { s3EvidenceReader } from './evidence-reader.js';
import { dynamoLatestTransitions } from './latest.js';
import { createNotifier, type NotifierOptions } from './notifier.js';
import { snsPublisher } from './publisher.js';

/** Environment the deployment gives the notifier (src/deploy/alert-resources.ts). */
const NOTIFIER_ENV = {
  topicArn: 'VPCE_GUARD_ALERT_TOPIC_ARN',
  idempotencyTable: 'VPCE_GUARD_IDEMPOTENCY_TABLE',
  reportBucket: 'VPCE_GUARD_REPORT_BUCKET',
} as const;

/**
 * How long a processed transition is remembered. Longer than an SQS message can live (4 days by
 * default, and the queue keeps 4) so a late redelivery is still recognised.
 */
const IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600;
/** Suppressions are re-read at most this often per container. */
const SUPPRESSIONS_CACHE_MS = 60_000;

interface ClientSettings {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
}

interface NotifierHandlerOptions {
  topicArn?: string;
  idempotencyTable?: string;
  reportBucket?: string;
  /** SDK client settings (tests point them at moto). */
  clientConfig?: ClientSettings;
  logger?: Logger;
  digestAbove?: number;
}

const fromEnv = (name: string): string | undefined => process.env[name] || undefined;

/** Suppressions from the report bucket, cached briefly; an unreadable file alerts rather than hides. */
const bucketSuppressions = (s3: S3Client, bucket: string, logger: Logger) => {
  let cached: { at: number; entries: Suppression[] } | undefined;
  return async (now: Date): Promise<SuppressionMatcher | undefined> => {
    if (!cached || now.getTime() - cached.at > SUPPRESSIONS_CACHE_MS) {
      try {
        const { suppressions } = await loadSuppressionsFromBucket(s3, bucket, {
          knownRuleIds: RULES.map((rule) => rule.id),
        });
        cached = { at: now.getTime(), entries: suppressions };
      } catch (error) {
        // Alerts are the safety net: a broken suppressions file must not silence them.
        logger.error('Suppressions file unreadable; alerting without suppressions', {
          errorName: (error as Error).name,
          errorMessage: (error as Error).message,
        });
        return undefined;
      }
    }
    return cached.entries.length > 0 ? new SuppressionMatcher(cached.entries, now) : undefined;
  };
};

/**
 * The notifier Lambda: middy with the Powertools logger. Clients are built once per container;
 * without a table (local runs) only repeats within one batch are dropped.
 */
const createNotifierHandler = (options: NotifierHandlerOptions = {}) => {
  const logger = options.logger ?? new Logger({ serviceName: 'vpce-guard-notifier' });
  const topicArn = options.topicArn ?? fromEnv(NOTIFIER_ENV.topicArn);
  if (!topicArn) {
    throw new DeploymentConfigError(`${NOTIFIER_ENV.topicArn} must name the alert topic`);
  }
  const table = options.idempotencyTable ?? fromEnv(NOTIFIER_ENV.idempotencyTable);
  const bucket = options.reportBucket ?? fromEnv(NOTIFIER_ENV.reportBucket);
  const clientConfig = options.clientConfig ?? {};
  // An endpoint override (moto) serves buckets by path, not by host name.
  const s3 = bucket
    ? new S3Client({ ...clientConfig, forcePathStyle: clientConfig.endpoint !== undefined })
    : undefined;
  const dynamo = table ? new DynamoDBClient(clientConfig) : undefined;
  const notifierOptions: NotifierOptions = {
    publisher: snsPublisher(new SNSClient(clientConfig), topicArn),
    logger,
    evidence: s3 && bucket ? s3EvidenceReader(s3, bucket, logger) : undefined,
    suppressions: s3 && bucket ? bucketSuppressions(s3, bucket, logger) : undefined,
    idempotency:
      table && dynamo
        ? {
            persistenceStore: new DynamoDBPersistenceLayer({
              tableName: table,
              awsSdkV3Client: dynamo,
            }),
            config: new IdempotencyConfig({ expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS }),
          }
        : undefined,
    latest:
      table && dynamo ? dynamoLatestTransitions(dynamo, table, IDEMPOTENCY_TTL_SECONDS) : undefined,
    ...(options.digestAbove === undefined ? {} : { digestAbove: options.digestAbove }),
  };
  if (!table) logger.warn(`${NOTIFIER_ENV.idempotencyTable} is not set: no cross-batch dedup`);
  const notifier = createNotifier(notifierOptions);
  const handle = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    notifier.processBatch(event, context);
  return middy(handle).use(injectLambdaContext(logger, { resetKeys: true }));
};

export type { ClientSettings, NotifierHandlerOptions };
export { createNotifierHandler, IDEMPOTENCY_TTL_SECONDS, NOTIFIER_ENV };
