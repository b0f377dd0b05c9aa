import type { Evaluation } from '../model/compliance.js';
import type { Resource } from '../model/resources.js';
import type { AnyRule } from '../rules/rule.js';
import type { AccountView } from '../sources/view.js';

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
]);

/**
 * Throttling and server faults mean "ask again later": reporting a verdict for them would record a
 * guess. Callers let these fail the run (Config retries the invocation).
 */
const isRetryableAwsError = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as {
    name?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if (typeof candidate.name === 'string' && RETRYABLE_NAMES.has(candidate.name)) return true;
  if (candidate.$retryable) return true;
  const status = candidate.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
};

/**
 * Evaluates one resource so that it always ends with exactly one evaluation: a rule that throws on
 * odd input yields NON_COMPLIANT with the reason instead of losing the resource. Retryable AWS
 * errors propagate.
 */
const evaluateResource = async (
  rule: AnyRule,
  resource: Resource,
  view: AccountView,
  params: unknown,
): Promise<Evaluation> => {
  const ref = { type: resource.type, id: resource.id };
  try {
    const verdict = await rule.evaluate(resource, view, params as never);
    return { ...verdict, ruleId: rule.id, resource: ref };
  } catch (error) {
    if (isRetryableAwsError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return {
      ruleId: rule.id,
      resource: ref,
      compliance: 'NON_COMPLIANT',
      annotation: `Evaluation failed: ${message}`,
    };
  }
};

export { evaluateResource, isRetryableAwsError };
