/**
 * Names AWS services use for "slow down" answers (Config, EC2, S3 and the SDK's own retry tags).
 * A throttled read says nothing about the resource, so the engine must never turn it into a verdict.
 */
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
]);

/** Transport failures and server faults that a later attempt may not hit. */
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServiceError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNREFUSED']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

const isRetryableShape = (error: SdkErrorShape): boolean => {
  const status = error.$metadata?.httpStatusCode;
  return (
    (typeof error.name === 'string' &&
      (THROTTLING_NAMES.has(error.name) || TRANSIENT_NAMES.has(error.name))) ||
    (typeof error.code === 'string' && TRANSIENT_CODES.has(error.code)) ||
    (typeof status === 'number' && (status === 429 || (status >= 500 && status <= 599))) ||
    error.$fault === 'server' ||
    (typeof error.$retryable === 'object' && error.$retryable !== null)
  );
};

/**
 * True for AWS throttling, 5xx and transport errors, also when wrapped (the live view wraps SDK
 * errors in `AwsReadError` with `cause`). Such errors fail the invocation so AWS Config retries it.
 */
const isRetryableAwsError = (error: unknown): boolean => {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    if (isRetryableShape(current as SdkErrorShape)) return true;
    current = (current as SdkErrorShape).cause;
  }
  return false;
};

const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message || error.name : String(error);

const errorName = (error: unknown): string | undefined =>
  error instanceof Error ? error.name : undefined;

export { errorMessage, errorName, isRetryableAwsError };
