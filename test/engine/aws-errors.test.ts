import { ConfigServiceServiceException } from '@aws-sdk/client-config-service';
import { describe, expect, it } from 'vitest';
import { isRetryableAwsError } from '../../src/engine/aws-errors.js';
import { AwsReadError, InvalidParametersError } from '../../src/errors.js';

const awsError = (name: string, status: number): ConfigServiceServiceException =>
  new ConfigServiceServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });

describe('isRetryableAwsError', () => {
  it.each([
    ['ThrottlingException', 400],
    ['TooManyRequestsException', 429],
    ['RequestLimitExceeded', 503],
    ['SlowDown', 503],
    ['InternalFailure', 500],
    ['SomethingNew', 502],
  ])('treats %s (HTTP %i) as retryable', (name, status) => {
    // Act / Assess
    expect(isRetryableAwsError(awsError(name, status))).toBe(true);
  });

  it.each([
    ['AccessDeniedException', 400],
    ['InvalidResultTokenException', 400],
    ['ResourceNotDiscoveredException', 400],
  ])('treats %s (HTTP %i) as final', (name, status) => {
    // Act / Assess
    expect(isRetryableAwsError(awsError(name, status))).toBe(false);
  });

  it('finds throttling wrapped in a vpce-guard error', () => {
    // Prepare
    const wrapped = new AwsReadError('DescribeRouteTables failed', {
      cause: awsError('RequestLimitExceeded', 503),
    });

    // Act / Assess
    expect(isRetryableAwsError(wrapped)).toBe(true);
  });

  it('treats socket resets as retryable and plain errors as final', () => {
    // Prepare
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

    // Act / Assess
    expect(isRetryableAwsError(reset)).toBe(true);
    expect(isRetryableAwsError(new TypeError('x is undefined'))).toBe(false);
    expect(isRetryableAwsError(new InvalidParametersError('r', 'bad'))).toBe(false);
    expect(isRetryableAwsError('ThrottlingException')).toBe(false);
  });
});
