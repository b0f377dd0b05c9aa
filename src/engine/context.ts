import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { EvidenceSink } from '../model/evidence.js';
import type { Resource, ResourceRef } from '../model/resources.js';
import type { AnyRule } from '../rules/rule.js';
import { judgeAll, type Unjudged } from '../scan/evaluate.js';
import type { AccountView } from '../sources/view.js';
import type { EvaluationSet } from './evaluation-set.js';
import type { ConfigRuleEvent } from './event.js';
import type { EngineLogger } from './logger.js';
import type { SweepCursorStore } from './sweep-cursor.js';

interface EngineDeps {
  config: ConfigServiceClient;
  view: AccountView;
  logger: EngineLogger;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** PutEvaluations attempts per batch (default 5). */
  maxDeliveryAttempts?: number;
  /**
   * Epoch ms after which nothing new is read or judged: the Lambda deadline minus the time
   * delivery needs. What is judged by then is delivered; the rest is named or continued.
   */
  deadline?: number | undefined;
  /** Aborted once the invocation has returned or failed: nothing may be delivered after that. */
  signal?: AbortSignal | undefined;
  /** Where a periodic sweep too large for one invocation keeps its place. */
  cursors?: SweepCursorStore | undefined;
  /** Full evidence of every delivered evaluation; its failure is logged, never fatal. */
  evidence?: EvidenceSink | undefined;
}

type RuleParams = Parameters<AnyRule['evaluate']>[2];

/** The state of one invocation. */
interface Context {
  rule: AnyRule;
  params: RuleParams;
  event: ConfigRuleEvent;
  deps: EngineDeps;
  results: EvaluationSet;
  /** Resources whose reads failed transiently after the retries: Config must retry them. */
  unjudged: Unjudged[];
  /** Resources the time budget did not reach. */
  notReached: ResourceRef[];
  /**
   * Work that failed transiently after the verdicts were judged (a throttled stale-result
   * cleanup): the verdicts are still delivered, then the invocation fails with this so the retry
   * repeats the work.
   */
  failAfterDelivery?: Error | undefined;
  /**
   * Undoes what this invocation recorded for later ones (a sweep's cursor) when its verdicts could
   * not be delivered: a retry must judge them again, not continue past them.
   */
  onDeliveryFailure?: (() => Promise<void>) | undefined;
}

/** How many resources are judged at once: live-view reads overlap without tripping throttling. */
const EVALUATION_CONCURRENCY = 8;

const toDate = (value: string | undefined): Date | undefined => {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
};

/** The region an invocation is about: its Config rule's ARN, else the function's own region. */
const regionOfEvent = (event: ConfigRuleEvent): string =>
  (typeof event.configRuleArn === 'string' ? event.configRuleArn.split(':')[3] : undefined) ||
  process.env.AWS_REGION ||
  'unknown';

/**
 * Judges resources, each isolated from the others' failures, until the deadline: verdicts go to
 * the result set, transient failures and resources not reached are recorded on the context.
 */
const evaluateAll = async (
  ctx: Context,
  resources: readonly Resource[],
  at: Date,
): Promise<void> => {
  const { rule, deps } = ctx;
  const judgement = await judgeAll(rule, resources, deps.view, ctx.params, {
    concurrency: EVALUATION_CONCURRENCY,
    deadline: deps.deadline,
    onRuleError: (error) => deps.logger.error('Rule evaluation failed', { error }),
  });
  for (const evaluation of judgement.evaluations) {
    ctx.results.add(evaluation.resource, evaluation, at);
  }
  for (const unjudged of judgement.unjudged) {
    deps.logger.warn('Resource could not be read after the retries; left for AWS Config to retry', {
      resourceType: unjudged.resource.type,
      resourceId: unjudged.resource.id,
      reason: unjudged.reason,
    });
    ctx.unjudged.push(unjudged);
  }
  for (const ref of judgement.notReached) ctx.notReached.push(ref);
};

export type { Context, EngineDeps, RuleParams };
export { evaluateAll, regionOfEvent, toDate };
