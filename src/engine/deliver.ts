import type { ConfigServiceClient, Evaluation } from '@aws-sdk/client-config-service';
import { PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { EvaluationDeliveryError } from '../errors.js';
import { chunk } from '../util/concurrency.js';
import { errorMessage, errorName, isRetryableAwsError } from './aws-errors.js';
import type { EngineLogger } from './logger.js';

/** PutEvaluations accepts at most 100 evaluations per call (aws-config-contract.md §2). */
const MAX_BATCH_SIZE = 100;
/** The RDK/rdklib convention for local runs: results are validated but not stored. */
const TEST_MODE_TOKEN = 'TESTMODE';

interface DeliveryOptions {
  config: ConfigServiceClient;
  resultToken: string;
  logger: EngineLogger;
  sleep: (ms: number) => Promise<void>;
  /** Attempts per batch, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  /** Aborted once the invocation has returned or failed: no batch may be sent after that. */
  signal?: AbortSignal | undefined;
}

interface DeliveryResult {
  delivered: number;
  testMode: boolean;
}

const keyOf = (evaluation: Evaluation): string =>
  `${evaluation.ComplianceResourceType}|${evaluation.ComplianceResourceId}`;

const describe = (evaluation: Evaluation): Record<string, unknown> => ({
  resourceType: evaluation.ComplianceResourceType,
  resourceId: evaluation.ComplianceResourceId,
  complianceType: evaluation.ComplianceType,
});

/** A batch PutEvaluations refused for good; `deliverEvaluations` turns it into the full count. */
class SendFailure extends Error {
  readonly pending: number;
  readonly accepted: number;
  constructor(pending: number, accepted: number, cause: unknown) {
    super('PutEvaluations failed', { cause });
    this.pending = pending;
    this.accepted = accepted;
  }
}

/** Exponential backoff with full jitter, so concurrent rule Lambdas do not retry in lockstep. */
const backoffDelay = (
  attempt: number,
  options: Required<Pick<DeliveryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>>,
): number =>
  Math.round(options.random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt));

/**
 * Sends one batch until Config accepts every evaluation or the attempts run out. Returns the
 * evaluations still rejected. Errors that are not throttling/5xx (an invalid result token, a bad
 * resource type) are not retried: they would fail the same way again.
 */
const sendBatch = async (
  batch: Evaluation[],
  testMode: boolean,
  options: DeliveryOptions & { maxAttempts: number },
  timing: Required<Pick<DeliveryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>>,
): Promise<{ accepted: number; rejected: Evaluation[]; lastError?: unknown }> => {
  const originals = new Map(batch.map((evaluation) => [keyOf(evaluation), evaluation]));
  let pending = batch;
  let accepted = 0;
  let lastError: unknown;
  for (let attempt = 1; attempt <= options.maxAttempts; attempt += 1) {
    if (options.signal?.aborted) break;
    try {
      const response = await options.config.send(
        new PutEvaluationsCommand({
          ResultToken: options.resultToken,
          Evaluations: pending,
          ...(testMode ? { TestMode: true } : {}),
        }),
      );
      const failed = response.FailedEvaluations ?? [];
      accepted += pending.length - failed.length;
      if (failed.length === 0) return { accepted, rejected: [] };
      for (const evaluation of failed) {
        options.logger.warn('AWS Config did not accept an evaluation', {
          ...describe(evaluation),
          attempt,
        });
      }
      // Resend what we built, not Config's echo, so nothing of the original is lost.
      pending = failed.map((evaluation) => originals.get(keyOf(evaluation)) ?? evaluation);
      lastError = undefined;
    } catch (error) {
      if (!isRetryableAwsError(error)) throw new SendFailure(pending.length, accepted, error);
      options.logger.warn('PutEvaluations was throttled or failed transiently', {
        errorName: errorName(error),
        attempt,
      });
      lastError = error;
    }
    if (attempt < options.maxAttempts) await options.sleep(backoffDelay(attempt, timing));
  }
  return { accepted, rejected: pending, lastError };
};

/**
 * Delivers evaluations in batches of 100. Anything Config still rejects after the retries fails the
 * invocation with `EvaluationDeliveryError`: a silent partial delivery leaves stale verdicts behind.
 */
const deliverEvaluations = async (
  evaluations: readonly Evaluation[],
  options: DeliveryOptions,
): Promise<DeliveryResult> => {
  const testMode = options.resultToken === TEST_MODE_TOKEN;
  const settings = { ...options, maxAttempts: Math.max(1, options.maxAttempts ?? 5) };
  const timing = {
    baseDelayMs: options.baseDelayMs ?? 100,
    maxDelayMs: options.maxDelayMs ?? 5_000,
    random: options.random ?? Math.random,
  };
  if (evaluations.length === 0 && testMode) {
    // A real run still reports an empty list so Config records a successful invocation; in
    // TestMode nothing is recorded anyway and Config implementations (moto) reject an empty list.
    options.logger.info('No evaluations to deliver (TestMode: PutEvaluations skipped)');
    return { delivered: 0, testMode };
  }
  const batches = evaluations.length === 0 ? [[]] : chunk(evaluations, MAX_BATCH_SIZE);
  let delivered = 0;
  const lost: Evaluation[] = [];
  let lastError: unknown;
  for (const [index, batch] of batches.entries()) {
    if (options.signal?.aborted) {
      // The invocation is over (returned, failed or timed out): Config no longer expects these.
      const unsent = evaluations.length - delivered - lost.length;
      options.logger.error('Delivery stopped: the invocation has already ended', { unsent });
      throw new EvaluationDeliveryError(
        `${unsent + lost.length} of ${evaluations.length} evaluation(s) not delivered: the invocation ended first`,
        unsent + lost.length,
      );
    }
    let result: Awaited<ReturnType<typeof sendBatch>>;
    try {
      result = await sendBatch(batch, testMode, settings, timing);
    } catch (error) {
      if (!(error instanceof SendFailure)) throw error;
      // Everything not accepted counts: earlier losses, this batch's rest and the batches after it.
      let later = 0;
      for (const rest of batches.slice(index + 1)) later += rest.length;
      const undelivered = lost.length + error.pending + later;
      options.logger.error('PutEvaluations failed', {
        error: error.cause,
        errorName: errorName(error.cause),
        undelivered,
      });
      throw new EvaluationDeliveryError(
        `PutEvaluations failed; ${undelivered} of ${evaluations.length} evaluation(s) not delivered: ${errorMessage(error.cause)}`,
        undelivered,
        { cause: error.cause },
      );
    }
    delivered += result.accepted;
    for (const evaluation of result.rejected) lost.push(evaluation);
    lastError = result.lastError ?? lastError;
  }
  options.logger.info('Evaluations delivered to AWS Config', {
    delivered,
    total: evaluations.length,
    batches: batches.length,
    testMode,
  });
  if (lost.length > 0) {
    for (const evaluation of lost) {
      options.logger.error('Evaluation lost after retries', describe(evaluation));
    }
    throw new EvaluationDeliveryError(
      `AWS Config did not accept ${lost.length} of ${evaluations.length} evaluation(s) after ${settings.maxAttempts} attempts`,
      lost.length,
      lastError === undefined ? undefined : { cause: lastError },
    );
  }
  return { delivered, testMode };
};

export type { DeliveryOptions, DeliveryResult };
export { deliverEvaluations, MAX_BATCH_SIZE, TEST_MODE_TOKEN };
