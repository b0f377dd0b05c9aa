import { isRetryableAwsError } from '../../engine/aws-errors.js';
import { AwsReadError } from '../../errors.js';
import type { ResourceType } from '../../model/resources.js';
import type { ResourceReadFailure } from '../view.js';

/**
 * How the live view classifies a failed AWS read: denied (the resource cannot be verified),
 * missing (it no longer exists) or anything else (named with its IAM action).
 */

const DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AllAccessDisabled',
  'Forbidden',
]);
const MISSING_CODES = new Set(['NatGatewayNotFound', 'NoSuchBucket', 'NotFound']);

const errorCode = (error: unknown): string => {
  const candidate = error as { Code?: unknown; name?: unknown } | undefined;
  if (typeof candidate?.Code === 'string') return candidate.Code;
  return typeof candidate?.name === 'string' ? candidate.name : 'Error';
};

const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

const httpStatus = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

// A 403 with an empty body (what a bucket's own Deny returns) surfaces with the name `Unknown`.
const isDenied = (error: unknown): boolean =>
  DENIED_CODES.has(errorCode(error)) || httpStatus(error) === 403;

const isMissing = (error: unknown): boolean => {
  const code = errorCode(error);
  return MISSING_CODES.has(code) || /\.(NotFound|Malformed)$/.test(code);
};

/** A failed read the scan cannot work around: name the permission so the fix is obvious. */
const readFailure = (action: string, error: unknown): AwsReadError => {
  if (error instanceof AwsReadError) return error;
  const detail = `${errorCode(error)}: ${errorMessage(error)}`;
  return isDenied(error)
    ? new AwsReadError(
        `Access denied to ${action}; grant it to the scanning role (read-only) and run again (${detail})`,
        { cause: error, denied: true },
      )
    : new AwsReadError(`${action} failed (${detail})`, { cause: error });
};

/** A per-resource read failure as the view reports it; the error should name the action already. */
const resourceFailure = (type: ResourceType, id: string, error: unknown): ResourceReadFailure => ({
  type,
  id,
  reason: error instanceof Error ? error.message : String(error),
  transient: isRetryableAwsError(error),
});

export { errorCode, errorMessage, isDenied, isMissing, readFailure, resourceFailure };
