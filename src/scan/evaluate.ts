import { errorMessage, isRetryableAwsError } from '../engine/aws-errors.js';
import { AwsReadError } from '../errors.js';
import { type Evaluation, unverifiable } from '../model/compliance.js';
import type { Resource } from '../model/resources.js';
import type { AnyRule } from '../rules/rule.js';
import type { AccountView } from '../sources/view.js';

/**
 * Evaluates one resource so that it always ends with exactly one evaluation: a rule that throws on
 * odd input yields NON_COMPLIANT with the reason instead of losing the resource. Throttling, 5xx and
 * transport errors say nothing about the resource and propagate (Config retries the invocation).
 */
const evaluateResource = async (
  rule: AnyRule,
  resource: Resource,
  view: AccountView,
  params: unknown,
  onRuleError?: (error: unknown) => void,
): Promise<Evaluation> => {
  const ref = { type: resource.type, id: resource.id };
  try {
    const verdict = await rule.evaluate(resource, view, params as never);
    return { ...verdict, ruleId: rule.id, resource: ref };
  } catch (error) {
    if (isRetryableAwsError(error)) throw error;
    if (error instanceof AwsReadError && error.denied) {
      // A read the scanner was refused says nothing about the resource: unverified, not violated.
      return { ...unverifiable(error.message), ruleId: rule.id, resource: ref };
    }
    onRuleError?.(error);
    return {
      ruleId: rule.id,
      resource: ref,
      compliance: 'NON_COMPLIANT',
      annotation: `Evaluation failed: ${errorMessage(error)}`,
    };
  }
};

export { evaluateResource };
