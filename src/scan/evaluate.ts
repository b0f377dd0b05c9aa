import { errorMessage, isRetryableAwsError } from '../engine/aws-errors.js';
import { AwsReadError } from '../errors.js';
import { type Evaluation, unverifiable } from '../model/compliance.js';
import type { Resource, ResourceRef, ResourceType } from '../model/resources.js';
import type { AnyRule } from '../rules/rule.js';
import type { AccountView, ResourceReadFailure } from '../sources/view.js';

/**
 * Evaluates one resource so that it always ends with exactly one evaluation: a rule that throws on
 * odd input yields NON_COMPLIANT with the reason instead of losing the resource, and a read that
 * failed for good (denied, or a permanent error such as 400 InvalidRequest) makes the resource
 * unverifiable. Throttling, 5xx and transport errors say nothing about the resource and propagate.
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
    if (error instanceof AwsReadError) {
      // A read the scanner was refused, or that failed for good, says nothing about the resource:
      // unverified, not violated.
      const text = error.denied
        ? error.message
        : `the resource could not be read: ${error.message}`;
      return { ...unverifiable(text), ruleId: rule.id, resource: ref };
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

/** The verdict for a resource the view listed but could not read for good. */
const unreadableEvaluation = (rule: AnyRule, failure: ResourceReadFailure): Evaluation => ({
  ...unverifiable(`the resource could not be read: ${failure.reason}`),
  ruleId: rule.id,
  resource: { type: failure.type, id: failure.id },
});

/** A resource left without a verdict, and why. */
interface Unjudged {
  resource: ResourceRef;
  reason: string;
}

interface JudgeOptions {
  concurrency: number;
  /** Epoch ms; no resource is started after it, and none still running is waited for past it. */
  deadline?: number | undefined;
  now?: () => number;
  onRuleError?: (error: unknown) => void;
}

interface Judgement {
  evaluations: Evaluation[];
  /** Transient failures that outlived the retries: no verdict, a later run may succeed. */
  unjudged: Unjudged[];
  /** Not started (or not finished) before the deadline, in input order. */
  notReached: ResourceRef[];
}

const MAX_TIMER_MS = 2 ** 31 - 1;

const refOfResource = (resource: Resource): ResourceRef => ({
  type: resource.type,
  id: resource.id,
});

/**
 * Judges resources with bounded concurrency, isolating each: one resource's transient failure is
 * recorded as unjudged and the others go on. The view's per-resource read failures for the rule's
 * type are included: permanent ones as unverifiable verdicts, transient ones as unjudged.
 */
const judgeAll = async (
  rule: AnyRule,
  resources: readonly Resource[],
  view: AccountView,
  params: unknown,
  options: JudgeOptions,
): Promise<Judgement> => {
  const now = options.now ?? Date.now;
  const deadline = options.deadline;
  const outcomes: (Evaluation | Unjudged | undefined)[] = new Array(resources.length);
  let next = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired =
    deadline === undefined
      ? undefined
      : new Promise<'expired'>((resolve) => {
          // setTimeout fires at once past 2^31-1 ms; no Lambda deadline is that far anyway.
          const wait = Math.min(MAX_TIMER_MS, Math.max(0, deadline - now()));
          timer = setTimeout(() => resolve('expired'), wait);
        });
  const judgeOne = async (index: number): Promise<void> => {
    const resource = resources[index] as Resource;
    try {
      outcomes[index] = await evaluateResource(rule, resource, view, params, options.onRuleError);
    } catch (error) {
      outcomes[index] = { resource: refOfResource(resource), reason: errorMessage(error) };
    }
  };
  const worker = async (): Promise<void> => {
    while (next < resources.length && (deadline === undefined || now() < deadline)) {
      const index = next;
      next += 1;
      await judgeOne(index);
    }
  };
  const workers = Promise.all(
    Array.from({ length: Math.min(Math.max(1, options.concurrency), resources.length) }, worker),
  );
  try {
    await (expired ? Promise.race([workers, expired]) : workers);
  } finally {
    if (timer) clearTimeout(timer);
  }
  // Stop handing out work; whatever finishes after this point is ignored.
  next = resources.length;
  const judgement: Judgement = { evaluations: [], unjudged: [], notReached: [] };
  resources.forEach((resource, index) => {
    const outcome = outcomes[index];
    if (outcome === undefined) judgement.notReached.push(refOfResource(resource));
    else if ('reason' in outcome) judgement.unjudged.push(outcome);
    else judgement.evaluations.push(outcome);
  });
  for (const failure of view.readFailures?.(rule.resourceType as ResourceType) ?? []) {
    if (failure.transient) {
      judgement.unjudged.push({
        resource: { type: failure.type, id: failure.id },
        reason: failure.reason,
      });
    } else judgement.evaluations.push(unreadableEvaluation(rule, failure));
  }
  return judgement;
};

export type { Judgement, JudgeOptions, Unjudged };
export { evaluateResource, judgeAll };
