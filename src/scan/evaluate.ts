import { errorMessage, isRetryableAwsError } from '../engine/aws-errors.js';
import { AwsReadError } from '../errors.js';
import { type Evaluation, unverifiable, type Verdict } from '../model/compliance.js';
import type { Resource, ResourceRef, ResourceType } from '../model/resources.js';
import { type AnyRule, evaluatesInMemory } from '../rules/rule.js';
import type { AccountView, MemoryReads, ResourceReadFailure } from '../sources/view.js';

/** A verdict bound to its rule and resource, built field by field (no spread per resource). */
const bindVerdict = (verdict: Verdict, ruleId: string, resource: ResourceRef): Evaluation => ({
  compliance: verdict.compliance,
  annotation: verdict.annotation,
  detail: verdict.detail,
  counterexample: verdict.counterexample,
  unverifiable: verdict.unverifiable,
  ruleId,
  resource,
});

/**
 * The evaluation of a resource whose rule threw: a read that failed for good (denied, or a
 * permanent error such as 400 InvalidRequest) makes it unverifiable, anything else NON_COMPLIANT
 * with the reason. Throttling, 5xx and transport errors say nothing about the resource: rethrown.
 */
const failedEvaluation = (
  rule: AnyRule,
  ref: ResourceRef,
  error: unknown,
  onRuleError?: (error: unknown) => void,
): Evaluation => {
  if (isRetryableAwsError(error)) throw error;
  if (error instanceof AwsReadError) {
    // A read the scanner was refused, or that failed for good, says nothing about the resource:
    // unverified, not violated.
    const text = error.denied ? error.message : `the resource could not be read: ${error.message}`;
    return bindVerdict(unverifiable(text), rule.id, ref);
  }
  onRuleError?.(error);
  return {
    ruleId: rule.id,
    resource: ref,
    compliance: 'NON_COMPLIANT',
    annotation: `Evaluation failed: ${errorMessage(error)}`,
  };
};

/**
 * Evaluates one resource so that it always ends with exactly one evaluation: a rule that throws on
 * odd input yields NON_COMPLIANT with the reason instead of losing the resource, and a read that
 * failed for good makes the resource unverifiable. Throttling, 5xx and transport errors say
 * nothing about the resource and propagate.
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
    return bindVerdict(await rule.evaluate(resource, view, params as never), rule.id, ref);
  } catch (error) {
    return failedEvaluation(rule, ref, error, onRuleError);
  }
};

/**
 * `evaluateResource` over memory, without a promise; `undefined` when the rule needs a read the
 * memory does not answer (the caller then evaluates through the view).
 */
const evaluateInMemory = (
  rule: AnyRule,
  resource: Resource,
  reads: MemoryReads,
  params: unknown,
  onRuleError?: (error: unknown) => void,
): Evaluation | undefined => {
  const ref = { type: resource.type, id: resource.id };
  try {
    const verdict = rule.evaluateSync?.(resource, reads, params as never);
    return verdict === undefined ? undefined : bindVerdict(verdict, rule.id, ref);
  } catch (error) {
    return failedEvaluation(rule, ref, error, onRuleError);
  }
};

/** The verdict for a resource the view listed but could not read for good. */
const unreadableEvaluation = (rule: AnyRule, failure: ResourceReadFailure): Evaluation =>
  bindVerdict(unverifiable(`the resource could not be read: ${failure.reason}`), rule.id, {
    type: failure.type,
    id: failure.id,
  });

/** A resource left without a verdict, and why. */
interface Unjudged {
  resource: ResourceRef;
  reason: string;
}

interface JudgeOptions {
  concurrency: number;
  /**
   * The account in memory (a snapshot): rules with `evaluateSync` are judged from it one after the
   * other, without a promise per resource. Live views leave it out.
   */
  memory?: MemoryReads | undefined;
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

type Outcome = Evaluation | Unjudged | undefined;

/** Resources judged from memory between two turns of the event loop (timers, signals). */
const SYNC_SLICE = 4096;

const nextTurn = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

/**
 * Judges resources one after the other from memory, each under every rule given before the next
 * (rules of one resource type read the same resource in turn, so work on it is still warm). A
 * resource whose rule declines the memory (it needs a read only the view answers) is evaluated
 * through the view, isolated the same way. The deadline is checked before each resource, as the
 * workers of `judgeAll` do. One list of outcomes per rule.
 */
const judgeInMemory = async (
  rules: readonly AnyRule[],
  resources: readonly Resource[],
  view: AccountView,
  memory: MemoryReads,
  params: readonly unknown[],
  options: JudgeOptions,
): Promise<Outcome[][]> => {
  const now = options.now ?? Date.now;
  const { deadline, onRuleError } = options;
  const outcomes: Outcome[][] = rules.map(() => new Array(resources.length));
  for (let index = 0; index < resources.length; index++) {
    if (deadline !== undefined && now() >= deadline) break;
    if (index > 0 && index % SYNC_SLICE === 0) await nextTurn();
    const resource = resources[index] as Resource;
    for (let which = 0; which < rules.length; which++) {
      const rule = rules[which] as AnyRule;
      const ruleParams = params[which];
      const ruleOutcomes = outcomes[which] as Outcome[];
      try {
        ruleOutcomes[index] =
          evaluateInMemory(rule, resource, memory, ruleParams, onRuleError) ??
          (await evaluateResource(rule, resource, view, ruleParams, onRuleError));
      } catch (error) {
        ruleOutcomes[index] = { resource: refOfResource(resource), reason: errorMessage(error) };
      }
    }
  }
  return outcomes;
};

/** Judges resources through the view, `concurrency` at a time, until the deadline. */
const judgeThroughView = async (
  rule: AnyRule,
  resources: readonly Resource[],
  view: AccountView,
  params: unknown,
  options: JudgeOptions,
): Promise<Outcome[]> => {
  const now = options.now ?? Date.now;
  const deadline = options.deadline;
  const outcomes: Outcome[] = new Array(resources.length);
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
  return outcomes.slice();
};

/** The outcomes of one rule as a judgement, with the view's read failures for its type. */
const judgementOf = (
  rule: AnyRule,
  resources: readonly Resource[],
  outcomes: readonly Outcome[],
  view: AccountView,
): Judgement => {
  const judgement: Judgement = { evaluations: [], unjudged: [], notReached: [] };
  for (let index = 0; index < resources.length; index++) {
    const outcome = outcomes[index];
    if (outcome === undefined)
      judgement.notReached.push(refOfResource(resources[index] as Resource));
    else if ('reason' in outcome) judgement.unjudged.push(outcome);
    else judgement.evaluations.push(outcome);
  }
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

/**
 * Judges resources with bounded concurrency, isolating each: one resource's transient failure is
 * recorded as unjudged and the others go on. The view's per-resource read failures for the rule's
 * type are included: permanent ones as unverifiable verdicts, transient ones as unjudged. With the
 * account in memory (`options.memory`) and a rule that can judge from it, no promise is made per
 * resource.
 */
const judgeAll = async (
  rule: AnyRule,
  resources: readonly Resource[],
  view: AccountView,
  params: unknown,
  options: JudgeOptions,
): Promise<Judgement> => {
  const outcomes =
    options.memory && evaluatesInMemory(rule)
      ? ((await judgeInMemory([rule], resources, view, options.memory, [params], options))[0] ?? [])
      : await judgeThroughView(rule, resources, view, params, options);
  return judgementOf(rule, resources, outcomes, view);
};

/**
 * `judgeAll` for several rules of one resource type that all judge from memory, resource by
 * resource: the same judgements, one per rule.
 */
const judgeAllInMemory = async (
  rules: readonly AnyRule[],
  resources: readonly Resource[],
  view: AccountView,
  memory: MemoryReads,
  params: readonly unknown[],
  options: JudgeOptions,
): Promise<Judgement[]> => {
  const outcomes = await judgeInMemory(rules, resources, view, memory, params, options);
  return rules.map((rule, which) => judgementOf(rule, resources, outcomes[which] ?? [], view));
};

export type { Judgement, JudgeOptions, Unjudged };
export { bindVerdict, evaluateResource, judgeAll, judgeAllInMemory };
