import type {
  ConfigServiceClient,
  Evaluation,
  GetResourceConfigHistoryCommandInput,
  ConfigurationItem as SdkConfigurationItem,
} from '@aws-sdk/client-config-service';
import {
  GetComplianceDetailsByConfigRuleCommand,
  GetResourceConfigHistoryCommand,
} from '@aws-sdk/client-config-service';
import { AwsReadError, ConfigItemParseError } from '../errors.js';
import type { ComplianceType } from '../model/compliance.js';
import type { Resource, ResourceRef } from '../model/resources.js';
import { refOf } from '../model/resources.js';
import { parseParams, parseRuleParametersJson } from '../rules/params.js';
import type { AnyRule, ChangeContext } from '../rules/rule.js';
import { evaluateResource } from '../scan/evaluate.js';
import type { ConfigItem, ItemStatus } from '../sources/config-item.js';
import { parseConfigurationItem } from '../sources/config-item.js';
import type { AccountView } from '../sources/view.js';
import { mapLimit } from '../util/concurrency.js';
import { fitAnnotation } from './annotation.js';
import { errorMessage, errorName, isRetryableAwsError } from './aws-errors.js';
import { deliverEvaluations } from './deliver.js';
import type { ConfigRuleEvent, ConfigurationItemSummary, InvokingEvent } from './event.js';
import { parseInvokingEvent, validateConfigRuleEvent } from './event.js';
import type { EngineLogger } from './logger.js';

/** AWS actions the engine itself calls; the deployment adds them to every rule's role. */
const ENGINE_IAM_ACTIONS = [
  'config:PutEvaluations',
  'config:GetResourceConfigHistory',
  'config:GetComplianceDetailsByConfigRule',
] as const;

/** How many resources are judged at once: live-view reads overlap without tripping throttling. */
const EVALUATION_CONCURRENCY = 8;
/** A guard against a paginator that never ends (GetComplianceDetailsByConfigRule, 100 per page). */
const MAX_COMPLIANCE_PAGES = 1_000;

const APPLICABLE_STATUSES: ReadonlySet<ItemStatus> = new Set(['OK', 'ResourceDiscovered']);

interface EngineDeps {
  config: ConfigServiceClient;
  view: AccountView;
  logger: EngineLogger;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** PutEvaluations attempts per batch (default 5). */
  maxDeliveryAttempts?: number;
}

interface RunSummary {
  /** Evaluations produced (one per resource, after de-duplication). */
  evaluated: number;
  /** Evaluations AWS Config accepted. */
  delivered: number;
  byCompliance: Record<ComplianceType, number>;
  testMode: boolean;
}

type RuleParams = Parameters<AnyRule['evaluate']>[2];

interface Context {
  rule: AnyRule;
  params: RuleParams;
  event: ConfigRuleEvent;
  deps: EngineDeps;
  results: EvaluationSet;
}

/** One evaluation per resource; a later verdict for the same resource replaces the earlier one. */
class EvaluationSet {
  private readonly byKey = new Map<string, Evaluation>();

  add(ref: { type: string; id: string }, compliance: ComplianceType, note: string, at: Date): void {
    const annotation = fitAnnotation(note);
    const key = `${ref.type}|${ref.id}`;
    this.byKey.delete(key);
    this.byKey.set(key, {
      ComplianceResourceType: ref.type,
      ComplianceResourceId: ref.id,
      ComplianceType: compliance,
      ...(annotation === undefined ? {} : { Annotation: annotation }),
      OrderingTimestamp: at,
    });
  }

  has(type: string, id: string): boolean {
    return this.byKey.has(`${type}|${id}`);
  }

  values(): Evaluation[] {
    return [...this.byKey.values()];
  }
}

const sleepFor = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

const toDate = (value: string | undefined): Date | undefined => {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
};

const notApplicableReason = (status: ItemStatus, leftScope: boolean): string => {
  if (leftScope) return 'The resource is no longer in the scope of this rule.';
  switch (status) {
    case 'ResourceDeleted':
    case 'ResourceDeletedNotRecorded':
      return 'The resource was deleted.';
    case 'ResourceNotRecorded':
      return 'AWS Config no longer records this resource.';
    default:
      return 'The resource is not applicable.';
  }
};

/**
 * Judges one resource through the shared evaluator; rule errors are logged here, retryable AWS
 * errors fail the invocation because they say nothing about the resource.
 */
const evaluateOne = async (ctx: Context, resource: Resource, at: Date): Promise<void> => {
  const { rule, deps } = ctx;
  try {
    const evaluation = await evaluateResource(rule, resource, deps.view, ctx.params, (error) =>
      deps.logger.error('Rule evaluation failed', {
        resourceType: resource.type,
        resourceId: resource.id,
        error,
      }),
    );
    ctx.results.add(resource, evaluation.compliance, evaluation.annotation, at);
  } catch (error) {
    deps.logger.warn('Evaluation hit a retryable AWS error; failing so AWS Config retries', {
      resourceType: resource.type,
      resourceId: resource.id,
      errorName: errorName(error),
    });
    throw error;
  }
};

const evaluateAll = async (
  ctx: Context,
  resources: readonly Resource[],
  at: Date,
): Promise<void> => {
  await mapLimit(resources, EVALUATION_CONCURRENCY, (resource) => evaluateOne(ctx, resource, at));
};

const historyType = (type: string): GetResourceConfigHistoryCommandInput['resourceType'] =>
  type as GetResourceConfigHistoryCommandInput['resourceType'];

const newestFirst = (items: SdkConfigurationItem[]): SdkConfigurationItem[] =>
  [...items].sort(
    (a, b) =>
      (b.configurationItemCaptureTime?.getTime() ?? 0) -
      (a.configurationItemCaptureTime?.getTime() ?? 0),
  );

/** Pages GetResourceConfigHistory may return before the first item (each spans up to 7 days). */
const MAX_HISTORY_PAGES = 5;

/**
 * Up to `limit` items of a resource's history, newest first. Config may answer with an empty page
 * and a `nextToken` (aws-config-contract.md §8.3), so a few pages are followed before giving up.
 */
const configHistory = async (
  ctx: Context,
  input: GetResourceConfigHistoryCommandInput & { limit: number },
): Promise<SdkConfigurationItem[]> => {
  const items: SdkConfigurationItem[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page += 1) {
    const response = await ctx.deps.config.send(
      new GetResourceConfigHistoryCommand({ ...input, ...(nextToken ? { nextToken } : {}) }),
    );
    items.push(...(response.configurationItems ?? []));
    nextToken = response.nextToken;
    if (items.length >= input.limit || !nextToken) break;
  }
  return items.slice(0, input.limit);
};

/**
 * The last recorded configuration of a deleted resource, so a rule can still find the resources
 * that depended on it (a deleted gateway endpoint leaves its subnets without a route).
 */
const lastKnownConfiguration = async (
  ctx: Context,
  item: ConfigItem,
): Promise<Resource | undefined> => {
  const { logger } = ctx.deps;
  const laterTime = toDate(item.captureTime);
  let history: SdkConfigurationItem[];
  try {
    history = await configHistory(ctx, {
      resourceType: historyType(item.resourceType),
      resourceId: item.resourceId,
      ...(laterTime ? { laterTime } : {}),
      limit: 2,
    });
  } catch (error) {
    if (errorName(error) !== 'ResourceNotDiscoveredException') throw error;
    history = [];
  }
  for (const raw of newestFirst(history)) {
    if (!raw.configurationItemStatus || !APPLICABLE_STATUSES.has(raw.configurationItemStatus)) {
      continue;
    }
    try {
      const recovered = parseConfigurationItem(raw);
      if (recovered.resource) return recovered.resource;
    } catch (error) {
      if (!(error instanceof ConfigItemParseError)) throw error;
      logger.warn('Last known configuration could not be read', { error });
    }
  }
  logger.warn('No earlier configuration of the changed resource; dependents not re-evaluated', {
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    status: item.status,
  });
  return undefined;
};

/** The resources of the rule's type that a change touches; always includes the resource itself. */
const dependentsOf = async (
  ctx: Context,
  changed: Resource,
  change: ChangeContext,
): Promise<ResourceRef[]> => {
  const { rule, deps } = ctx;
  const self = changed.type === rule.resourceType ? [refOf(changed)] : [];
  if (!rule.dependents) return self;
  try {
    return [...self, ...(await rule.dependents(changed, deps.view, change))];
  } catch (error) {
    // Without its dependents a trigger-type change has nothing to report: fail visibly instead.
    if (self.length === 0 || isRetryableAwsError(error)) throw error;
    deps.logger.error('Finding dependent resources failed; evaluating the changed resource only', {
      resourceType: changed.type,
      resourceId: changed.id,
      error,
    });
    return self;
  }
};

const evaluateChangedAndDependents = async (
  ctx: Context,
  changed: Resource,
  at: Date,
  change: ChangeContext,
): Promise<void> => {
  const { rule, deps } = ctx;
  const seen = new Set<string>();
  const resources: Resource[] = [];
  for (const ref of await dependentsOf(ctx, changed, change)) {
    if (ref.type !== rule.resourceType || seen.has(ref.id)) continue;
    seen.add(ref.id);
    // The event's copy is what Config recorded for this change; the view may lag behind it.
    const resource =
      changed.type === rule.resourceType && changed.id === ref.id
        ? changed
        : await deps.view.get(rule.resourceType, ref.id);
    if (resource) resources.push(resource);
    else {
      deps.logger.warn('Dependent resource not found in the account; skipped', {
        resourceType: ref.type,
        resourceId: ref.id,
      });
    }
  }
  deps.logger.info('Evaluating resources affected by the change', {
    changedType: changed.type,
    changedId: changed.id,
    resources: resources.length,
  });
  await evaluateAll(ctx, resources, at);
};

const captureTimeOf = (raw: Record<string, unknown>): Date | undefined => {
  const value = raw.configurationItemCaptureTime;
  if (value instanceof Date) return value;
  return typeof value === 'string' ? toDate(value) : undefined;
};

/**
 * A configuration item changed. Deleted or out-of-scope resources of the rule's type get
 * NOT_APPLICABLE; trigger-type changes re-evaluate the resources that depend on them. Stale-result
 * cleanup never runs here: it would blank every resource but this one (rdklib #23).
 */
const handleChange = async (
  ctx: Context,
  rawItem: Record<string, unknown>,
  fallbackTime: Date,
  change: ChangeContext = {},
): Promise<void> => {
  const { rule, deps, event } = ctx;
  const ruleType: string = rule.resourceType;
  // A resource that left the rule's scope is NOT_APPLICABLE whatever its configuration says, so
  // this needs nothing but the item's identity.
  if (event.eventLeftScope === true && rawItem.resourceType === ruleType) {
    const id = typeof rawItem.resourceId === 'string' ? rawItem.resourceId : undefined;
    if (id) {
      const at = captureTimeOf(rawItem) ?? fallbackTime;
      ctx.results.add(
        { type: ruleType, id },
        'NOT_APPLICABLE',
        notApplicableReason('OK', true),
        at,
      );
      return;
    }
  }
  let item: ConfigItem;
  try {
    item = parseConfigurationItem(rawItem);
  } catch (error) {
    if (!(error instanceof ConfigItemParseError)) throw error;
    deps.logger.error('Configuration item could not be read', {
      resourceType: error.resourceType,
      resourceId: error.resourceId,
      error,
    });
    if (error.resourceType === ruleType && error.resourceId) {
      ctx.results.add(
        { type: ruleType, id: error.resourceId },
        'NON_COMPLIANT',
        `Not evaluated: the configuration item could not be read (${error.message}).`,
        captureTimeOf(rawItem) ?? fallbackTime,
      );
      return;
    }
    // A trigger-type change whose item cannot be read would leave its dependents with stale
    // verdicts: fail so AWS Config retries rather than report nothing.
    if ((rule.triggerTypes as readonly string[]).includes(error.resourceType ?? '')) throw error;
    return;
  }
  const at = toDate(item.captureTime) ?? fallbackTime;
  const ownType = item.resourceType === rule.resourceType;
  const triggerType = (rule.triggerTypes as readonly string[]).includes(item.resourceType);
  if (!ownType && !triggerType) {
    deps.logger.warn('Change of a resource type this rule does not watch; nothing to evaluate', {
      resourceType: item.resourceType,
      resourceId: item.resourceId,
    });
    return;
  }
  const leftScope = event.eventLeftScope === true;
  const applicable = APPLICABLE_STATUSES.has(item.status) && !leftScope;
  if (ownType && !applicable) {
    const ref = { type: item.resourceType, id: item.resourceId };
    ctx.results.add(ref, 'NOT_APPLICABLE', notApplicableReason(item.status, leftScope), at);
    return;
  }
  if (ownType && !item.resource) {
    ctx.results.add(
      { type: item.resourceType, id: item.resourceId },
      'NON_COMPLIANT',
      'Not evaluated: the configuration item carries no configuration.',
      at,
    );
    return;
  }
  const changed = item.resource ?? (await lastKnownConfiguration(ctx, item));
  if (changed) await evaluateChangedAndDependents(ctx, changed, at, change);
};

/** Oversized items are not in the event; Config's own history holds the item of this change. */
const fetchOversizedItem = async (
  ctx: Context,
  summary: ConfigurationItemSummary,
): Promise<Record<string, unknown>> => {
  const [item] = await configHistory(ctx, {
    resourceType: historyType(summary.resourceType),
    resourceId: summary.resourceId,
    laterTime: new Date(summary.configurationItemCaptureTime),
    limit: 1,
  });
  if (!item) {
    throw new AwsReadError(
      `GetResourceConfigHistory returned no configuration item for ${summary.resourceType} ${summary.resourceId} at ${summary.configurationItemCaptureTime}; failing so AWS Config retries`,
    );
  }
  return item as Record<string, unknown>;
};

/**
 * Periodic runs never hear about deleted resources, so results of resources that are gone would
 * stay forever; overwrite them with NOT_APPLICABLE (rdklib `clean_up_old_evaluations`).
 */
const cleanUpStaleResults = async (ctx: Context, at: Date): Promise<void> => {
  const { rule, deps, event } = ctx;
  const ruleName = event.configRuleName;
  if (!ruleName) {
    deps.logger.warn('The event names no Config rule; stale results are not cleaned up');
    return;
  }
  const ruleType: string = rule.resourceType;
  let stale = 0;
  let nextToken: string | undefined;
  let pages = 0;
  try {
    do {
      const response = await deps.config.send(
        new GetComplianceDetailsByConfigRuleCommand({
          ConfigRuleName: ruleName,
          ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'],
          Limit: 100,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const result of response.EvaluationResults ?? []) {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        const type = qualifier?.ResourceType;
        const id = qualifier?.ResourceId;
        if (type !== ruleType || !id || ctx.results.has(type, id)) continue;
        ctx.results.add(
          { type, id },
          'NOT_APPLICABLE',
          'The resource no longer exists or is no longer in scope.',
          at,
        );
        stale += 1;
      }
      nextToken = response.NextToken;
      pages += 1;
    } while (nextToken && pages < MAX_COMPLIANCE_PAGES);
  } catch (error) {
    if (isRetryableAwsError(error)) throw error;
    // The fresh verdicts matter more than the housekeeping: deliver them, but say so loudly.
    deps.logger.error('Stale-result cleanup failed; old results of deleted resources remain', {
      error,
      errorName: errorName(error),
    });
  }
  if (nextToken) {
    deps.logger.warn('Stale-result cleanup stopped at the page limit', { pages });
  }
  deps.logger.info('Stale results cleaned up', { stale });
};

const dispatch = async (ctx: Context, invoking: InvokingEvent, now: Date): Promise<void> => {
  const { rule, deps } = ctx;
  switch (invoking.messageType) {
    case 'ConfigurationItemChangeNotification':
      return handleChange(
        ctx,
        invoking.configurationItem,
        toDate(invoking.notificationCreationTime) ?? now,
        { changedProperties: invoking.changedProperties },
      );
    case 'OversizedConfigurationItemChangeNotification': {
      const summary = invoking.configurationItemSummary;
      const item = await fetchOversizedItem(ctx, summary);
      return handleChange(ctx, item, new Date(summary.configurationItemCaptureTime));
    }
    case 'ScheduledNotification': {
      const at = new Date(invoking.notificationCreationTime);
      const resources = await deps.view.list(rule.resourceType);
      deps.logger.info('Evaluating every resource of the rule type', {
        resourceType: rule.resourceType,
        resources: resources.length,
      });
      await evaluateAll(ctx, resources, at);
      await cleanUpStaleResults(ctx, at);
      return;
    }
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

/**
 * Runs one Config rule invocation end to end: validate the event and parameters, find the
 * resources to judge, judge them, and deliver exactly one evaluation per resource. Bad input
 * (`InvalidEventError`, `InvalidParametersError`) fails before anything is evaluated or sent.
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
  const ctx: Context = { rule, params, event, deps, results: new EvaluationSet() };
  await dispatch(ctx, invoking, now);

  const evaluations = ctx.results.values();
  const byCompliance: Record<ComplianceType, number> = {
    COMPLIANT: 0,
    NON_COMPLIANT: 0,
    NOT_APPLICABLE: 0,
  };
  for (const evaluation of evaluations) {
    byCompliance[evaluation.ComplianceType as ComplianceType] += 1;
  }
  const { delivered, testMode } = await deliverEvaluations(evaluations, {
    config: deps.config,
    resultToken: event.resultToken,
    logger,
    sleep: deps.sleep ?? sleepFor,
    ...(deps.maxDeliveryAttempts ? { maxAttempts: deps.maxDeliveryAttempts } : {}),
  });
  const summary: RunSummary = { evaluated: evaluations.length, delivered, byCompliance, testMode };
  logger.info('Invocation complete', { ...summary });
  return summary;
};

export type { EngineDeps, RunSummary };
export { ENGINE_IAM_ACTIONS, runRule };
