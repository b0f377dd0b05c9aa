import { UnjudgedResourcesError } from '../errors.js';
import type { ComplianceType } from '../model/compliance.js';
import type { ResourceRef } from '../model/resources.js';
import { parseParams, parseRuleParametersJson } from '../rules/params.js';
import type { AnyRule } from '../rules/rule.js';
import { errorMessage, errorName } from './aws-errors.js';
import { handleChange, handleOversized } from './change.js';
import {
  type Context,
  type EngineDeps,
  type RuleParams,
  regionOfEvent,
  toDate,
} from './context.js';
import { deliverEvaluations } from './deliver.js';
import { EvaluationSet } from './evaluation-set.js';
import type { ConfigRuleEvent, InvokingEvent } from './event.js';
import { parseInvokingEvent, validateConfigRuleEvent } from './event.js';
import { type SweepOutcome, sweep } from './sweep.js';

/** AWS actions the engine itself calls; the deployment adds them to every rule's role. */
const ENGINE_IAM_ACTIONS = [
  'config:PutEvaluations',
  'config:GetResourceConfigHistory',
  'config:GetComplianceDetailsByConfigRule',
] as const;

/** Unjudged resources named in the error message; the log line lists them all. */
const MAX_NAMED = 20;

interface RunSummary {
  /** Evaluations produced (one per resource, after de-duplication). */
  evaluated: number;
  /** Evaluations AWS Config accepted. */
  delivered: number;
  byCompliance: Record<ComplianceType, number>;
  testMode: boolean;
  /** A periodic sweep that paused at the time budget, and how many resources it still owes. */
  sweep?: SweepOutcome | undefined;
}

const sleepFor = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

const dispatch = async (
  ctx: Context,
  invoking: InvokingEvent,
  now: Date,
): Promise<SweepOutcome | undefined> => {
  switch (invoking.messageType) {
    case 'ConfigurationItemChangeNotification':
      await handleChange(
        ctx,
        invoking.configurationItem,
        toDate(invoking.notificationCreationTime) ?? now,
        { changedProperties: invoking.changedProperties },
      );
      return undefined;
    case 'OversizedConfigurationItemChangeNotification':
      await handleOversized(ctx, invoking.configurationItemSummary);
      return undefined;
    case 'ScheduledNotification':
      return sweep(ctx, new Date(invoking.notificationCreationTime));
  }
};

const parseInvocation = (
  rule: AnyRule,
  rawEvent: unknown,
): { event: ConfigRuleEvent; invoking: InvokingEvent; params: RuleParams } => {
  const event = validateConfigRuleEvent(rawEvent);
  const invoking = parseInvokingEvent(event.invokingEvent);
  const raw = parseRuleParametersJson(rule.id, event.ruleParameters);
  return { event, invoking, params: parseParams(rule.id, rule.parameters, raw) };
};

/** Evidence records written between two checks of the invocation's end. */
const EVIDENCE_SLICE = 100;

/**
 * Evidence is a copy for people; Config holds the verdict, so a failure here is only logged. It is
 * written in slices and stops once the invocation is about to end: a sweep's thousands of objects
 * written past the Lambda timeout would fail an invocation whose verdicts were all delivered.
 */
const putEvidence = async (ctx: Context): Promise<void> => {
  const { evidence, logger, signal } = ctx.deps;
  if (!evidence || ctx.results.size === 0) return;
  const records = ctx.results.toEvidence({
    accountId: ctx.event.accountId ?? 'unknown',
    region: regionOfEvent(ctx.event),
    ruleId: ctx.rule.id,
    remediation: ctx.rule.remediation,
  });
  for (let start = 0; start < records.length; start += EVIDENCE_SLICE) {
    if (signal?.aborted) {
      logger.warn('Evidence not written: the invocation is about to end', {
        unwritten: records.length - start,
      });
      return;
    }
    try {
      await evidence.put(records.slice(start, start + EVIDENCE_SLICE));
    } catch (error) {
      logger.error('Evidence could not be stored; the evaluations in AWS Config stand', {
        error,
        errorName: errorName(error),
      });
    }
  }
};

/** Resources this invocation owes a verdict and could not give one, in a stable order. */
const owed = (ctx: Context): { resource: ResourceRef; reason: string }[] => {
  const lost = ctx.unjudged.map(({ resource, reason }) => ({ resource, reason }));
  for (const resource of ctx.notReached) {
    lost.push({ resource, reason: 'not reached before the Lambda deadline' });
  }
  return lost;
};

/**
 * Runs one Config rule invocation end to end: validate the event and parameters, find the
 * resources to judge, judge them (each isolated from the others' failures, within the time
 * budget), and deliver exactly one evaluation per judged resource. Resources left unjudged fail
 * the invocation after delivery, by name, so Config retries them; a sweep paused at a saved
 * cursor is a success. Bad input (`InvalidEventError`, `InvalidParametersError`) fails before
 * anything is evaluated or sent.
 */
const runRule = async (rule: AnyRule, rawEvent: unknown, deps: EngineDeps): Promise<RunSummary> => {
  const { logger } = deps;
  let parsed: ReturnType<typeof parseInvocation>;
  try {
    parsed = parseInvocation(rule, rawEvent);
  } catch (error) {
    logger.error(errorMessage(error), { errorName: errorName(error) });
    throw error;
  }
  const { event, invoking, params } = parsed;
  logger.info('AWS Config invocation', {
    messageType: invoking.messageType,
    configRuleName: event.configRuleName,
    accountId: event.accountId,
    eventLeftScope: event.eventLeftScope === true,
  });
  const now = (deps.now ?? (() => new Date()))();
  const ctx: Context = {
    rule,
    params,
    event,
    deps,
    results: new EvaluationSet(),
    unjudged: [],
    notReached: [],
  };
  const sweepOutcome = await dispatch(ctx, invoking, now);

  const evaluations = ctx.results.toConfig();
  const lost = owed(ctx);
  // Nothing judged and something owed: an empty delivery would only look like a success.
  const skipDelivery = evaluations.length === 0 && lost.length > 0;
  let outcome: { delivered: number; testMode: boolean } = { delivered: 0, testMode: false };
  if (!skipDelivery) {
    try {
      outcome = await deliverEvaluations(evaluations, {
        config: deps.config,
        resultToken: event.resultToken,
        logger,
        sleep: deps.sleep ?? sleepFor,
        signal: deps.signal,
        ...(deps.maxDeliveryAttempts ? { maxAttempts: deps.maxDeliveryAttempts } : {}),
      });
    } catch (error) {
      await ctx.onDeliveryFailure?.();
      throw error;
    }
  }
  const { delivered, testMode } = outcome;
  // TestMode results are not stored by Config; their evidence must not stand next to real verdicts.
  if (!testMode) await putEvidence(ctx);
  const summary: RunSummary = {
    evaluated: evaluations.length,
    delivered,
    byCompliance: ctx.results.counts(),
    testMode,
    ...(sweepOutcome && !sweepOutcome.complete ? { sweep: sweepOutcome } : {}),
  };
  if (lost.length > 0) {
    logger.error('Resources left without a verdict; failing so AWS Config retries them', {
      ...summary,
      unjudged: lost.map(({ resource, reason }) => ({ ...resource, reason })),
    });
    const named = lost
      .slice(0, MAX_NAMED)
      .map(({ resource }) => `${resource.type} ${resource.id}`)
      .join(', ');
    const more = lost.length > MAX_NAMED ? ` and ${lost.length - MAX_NAMED} more` : '';
    throw new UnjudgedResourcesError(
      `${lost.length} resource(s) left without a verdict after delivering ${delivered}: ${named}${more}; first reason: ${lost[0]?.reason}`,
      lost.map(({ resource }) => resource),
    );
  }
  if (ctx.failAfterDelivery) {
    logger.error('Verdicts delivered, but follow-up work failed; failing so AWS Config retries', {
      ...summary,
      error: ctx.failAfterDelivery,
    });
    throw ctx.failAfterDelivery;
  }
  logger.info('Invocation complete', { ...summary });
  return summary;
};

export type { EngineDeps, RunSummary };
export { ENGINE_IAM_ACTIONS, runRule };
