import type {
  GetResourceConfigHistoryCommandInput,
  ConfigurationItem as SdkConfigurationItem,
} from '@aws-sdk/client-config-service';
import { GetResourceConfigHistoryCommand } from '@aws-sdk/client-config-service';
import { AwsReadError, ConfigItemParseError } from '../errors.js';
import { notApplicable, unverifiable } from '../model/compliance.js';
import type { Resource, ResourceRef } from '../model/resources.js';
import { isResourceType, PREFIX_LIST_TYPE, refOf } from '../model/resources.js';
import type { ChangeContext } from '../rules/rule.js';
import type { ConfigItem, ItemStatus } from '../sources/config-item.js';
import { parseConfigurationItem } from '../sources/config-item.js';
import { captureTimeMillis } from '../util/time.js';
import { errorMessage, errorName, isRetryableAwsError } from './aws-errors.js';
import { type Context, evaluateAll, toDate } from './context.js';
import type { ConfigurationItemSummary } from './event.js';

/** Change-triggered invocations: the changed item, its dependents, oversized items, deletions. */

const APPLICABLE_STATUSES: ReadonlySet<ItemStatus> = new Set(['OK', 'ResourceDiscovered']);

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
 * Pages walked back for a deleted resource's last configuration. Each call spans at most seven days
 * ("Each call to the API is limited to span a duration of seven days", GetResourceConfigHistory),
 * so a resource unchanged for months before its deletion needs one page per week: enough for
 * Config's longest retention (7 years), stopped earlier by the invocation's deadline.
 */
const MAX_LAST_KNOWN_PAGES = 400;

/**
 * A resource's history page by page, following `nextToken` until Config gives none; `more` says
 * whether another page follows, so a caller can stop before asking for it.
 */
async function* historyPages(
  ctx: Context,
  input: GetResourceConfigHistoryCommandInput,
): AsyncGenerator<{ items: SdkConfigurationItem[]; more: boolean }> {
  let nextToken: string | undefined;
  do {
    const response = await ctx.deps.config.send(
      new GetResourceConfigHistoryCommand({ ...input, ...(nextToken ? { nextToken } : {}) }),
    );
    nextToken = response.nextToken;
    yield { items: response.configurationItems ?? [], more: Boolean(nextToken) };
  } while (nextToken);
}

/**
 * Up to `limit` items of a resource's history, newest first. Config may answer with an empty page
 * and a `nextToken` (aws-config-contract.md §8.3), so a few pages are followed before giving up.
 */
const configHistory = async (
  ctx: Context,
  input: GetResourceConfigHistoryCommandInput & { limit: number },
): Promise<SdkConfigurationItem[]> => {
  const items: SdkConfigurationItem[] = [];
  let page = 0;
  for await (const { items: pageItems } of historyPages(ctx, input)) {
    for (const item of pageItems) items.push(item);
    page += 1;
    if (items.length >= input.limit || page >= MAX_HISTORY_PAGES) break;
  }
  return items.slice(0, input.limit);
};

/**
 * The newest item of a resource's history, at or before `laterTime`, that records a configuration,
 * walking back a week per page. Undefined when history ends (or holds none) without one; an
 * `AwsReadError` when the walk had to stop first (page limit, deadline), so the invocation fails
 * instead of skipping the dependents as if there were no earlier configuration.
 */
const lastRecordedItem = async (
  ctx: Context,
  input: GetResourceConfigHistoryCommandInput & { limit: number },
): Promise<SdkConfigurationItem | undefined> => {
  const { deadline } = ctx.deps;
  let page = 0;
  for await (const { items, more } of historyPages(ctx, input)) {
    const recorded = newestFirst(items).find(
      (raw) => raw.configurationItemStatus && APPLICABLE_STATUSES.has(raw.configurationItemStatus),
    );
    if (recorded) return recorded;
    if (!more) return undefined;
    page += 1;
    // Stopped before asking for the next page: past the page limit or the deadline.
    if (page >= MAX_LAST_KNOWN_PAGES || (deadline !== undefined && Date.now() >= deadline)) break;
  }
  throw new AwsReadError(
    `GetResourceConfigHistory of ${input.resourceType} ${input.resourceId} was not read back to its last recorded configuration before the deadline; failing so AWS Config retries`,
  );
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
  let raw: SdkConfigurationItem | undefined;
  try {
    raw = await lastRecordedItem(ctx, {
      resourceType: historyType(item.resourceType),
      resourceId: item.resourceId,
      ...(laterTime ? { laterTime } : {}),
      limit: 2,
    });
  } catch (error) {
    if (errorName(error) !== 'ResourceNotDiscoveredException') throw error;
  }
  if (raw) {
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
    const dependents = await rule.dependents(changed, deps.view, change);
    const all = [...self];
    for (const ref of dependents) all.push(ref);
    return all;
  } catch (error) {
    // Without its dependents a trigger-type change has nothing to report: fail visibly instead.
    if (self.length === 0) throw error;
    deps.logger.error('Finding dependent resources failed; evaluating the changed resource only', {
      resourceType: changed.type,
      resourceId: changed.id,
      error,
    });
    // A throttled lookup may succeed later: deliver the changed resource's verdict, then fail so
    // the retry re-evaluates the dependents (throwing now would lose that verdict too).
    if (isRetryableAwsError(error)) {
      ctx.failAfterDelivery = new AwsReadError(
        `Finding the resources that depend on ${changed.type} ${changed.id} failed (${errorMessage(error)}); failing so AWS Config retries`,
        { cause: error },
      );
    }
    return self;
  }
};

const evaluateChangedAndDependents = async (
  ctx: Context,
  changed: Resource,
  at: Date,
  change: ChangeContext,
): Promise<void> => {
  await evaluateRefs(ctx, changed, await dependentsOf(ctx, changed, change), at, changed);
};

/** A deleted resource with no history left: the rule finds its dependents by identity alone. */
const evaluateDependentsOfGone = async (ctx: Context, item: ConfigItem, at: Date) => {
  const { rule, deps } = ctx;
  if (!rule.dependentsOfGone || !isResourceType(item.resourceType)) return;
  const gone: ResourceRef = { type: item.resourceType, id: item.resourceId };
  await evaluateRefs(ctx, gone, await rule.dependentsOfGone(gone, deps.view), at);
};

/**
 * A managed prefix list changed: it is no model resource, so the rule names the resources that
 * read its entries (the route tables that route to it). A failed lookup fails the invocation, so
 * AWS Config retries: there is nothing else to report.
 */
const evaluatePrefixListDependents = async (ctx: Context, listId: string, at: Date) => {
  const { rule, deps } = ctx;
  if (!rule.dependentsOfPrefixList) return;
  const refs = await rule.dependentsOfPrefixList(listId, deps.view);
  await evaluateRefs(ctx, { type: PREFIX_LIST_TYPE, id: listId }, refs, at);
};

/** Reads and evaluates the resources a change touched; `current` is used as it is, not re-read. */
const evaluateRefs = async (
  ctx: Context,
  changed: { type: string; id: string },
  refs: readonly ResourceRef[],
  at: Date,
  current?: Resource,
): Promise<void> => {
  const { rule, deps } = ctx;
  const seen = new Set<string>();
  const resources: Resource[] = [];
  for (const ref of refs) {
    if (ref.type !== rule.resourceType || seen.has(ref.id)) continue;
    seen.add(ref.id);
    // The event's copy is what Config recorded for this change; the view may lag behind it.
    let resource: Resource | undefined;
    try {
      resource =
        current && current.type === rule.resourceType && current.id === ref.id
          ? current
          : await deps.view.get(rule.resourceType, ref.id);
    } catch (error) {
      // One dependent that cannot be read must not cost the others their verdicts.
      if (isRetryableAwsError(error)) {
        ctx.unjudged.push({
          resource: { type: ref.type, id: ref.id },
          reason: errorMessage(error),
        });
      } else {
        const reason = `the resource could not be read: ${errorMessage(error)}`;
        ctx.results.add(ref, unverifiable(reason), at);
      }
      continue;
    }
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
  const millis = captureTimeMillis(value);
  return millis === undefined ? undefined : new Date(millis);
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
      ctx.results.add({ type: ruleType, id }, notApplicable(notApplicableReason('OK', true)), at);
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
        unverifiable(`the configuration item could not be read (${error.message}).`),
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
    ctx.results.add(ref, notApplicable(notApplicableReason(item.status, leftScope)), at);
    return;
  }
  if (ownType && !item.resource) {
    ctx.results.add(
      { type: item.resourceType, id: item.resourceId },
      unverifiable('the configuration item carries no configuration.'),
      at,
    );
    return;
  }
  if (item.resourceType === PREFIX_LIST_TYPE) {
    await evaluatePrefixListDependents(ctx, item.resourceId, at);
    return;
  }
  const changed = item.resource ?? (await lastKnownConfiguration(ctx, item));
  if (changed) await evaluateChangedAndDependents(ctx, changed, at, change);
  else await evaluateDependentsOfGone(ctx, item, at);
};

/** Capture times of one item may be rounded differently by the event and the API. */
const CAPTURE_TIME_TOLERANCE_MS = 1_000;

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
  // History answered with an earlier item: the one this change recorded is not readable yet.
  // Judging the earlier item would report the previous configuration as the current one.
  const fetched = item.configurationItemCaptureTime?.getTime();
  const wanted = Date.parse(summary.configurationItemCaptureTime);
  if (fetched !== undefined && fetched < wanted - CAPTURE_TIME_TOLERANCE_MS) {
    throw new AwsReadError(
      `GetResourceConfigHistory returned the item of ${item.configurationItemCaptureTime?.toISOString()} for ${summary.resourceType} ${summary.resourceId}, not the one captured at ${summary.configurationItemCaptureTime}; failing so AWS Config retries`,
    );
  }
  return item as Record<string, unknown>;
};

const GONE_STATUSES: ReadonlySet<string> = new Set<ItemStatus>([
  'ResourceDeleted',
  'ResourceDeletedNotRecorded',
  'ResourceNotRecorded',
]);

/**
 * An oversized change: the summary names the resource; its item is read from history. A resource
 * of the rule's type that left the scope, was deleted or is no longer recorded is NOT_APPLICABLE
 * from the summary alone: history may no longer hold it (ResourceNotDiscoveredException), and a
 * failed read would leave its last verdict standing.
 */
const handleOversized = async (ctx: Context, summary: ConfigurationItemSummary): Promise<void> => {
  const ruleType: string = ctx.rule.resourceType;
  const status = summary.configurationItemStatus;
  const leftScope = ctx.event.eventLeftScope === true;
  const at = new Date(summary.configurationItemCaptureTime);
  if (summary.resourceType === ruleType && (leftScope || (status && GONE_STATUSES.has(status)))) {
    const reason = notApplicableReason((status ?? 'OK') as ItemStatus, leftScope);
    ctx.results.add({ type: ruleType, id: summary.resourceId }, notApplicable(reason), at);
    return;
  }
  const item = await fetchOversizedItem(ctx, summary);
  await handleChange(ctx, item, at);
};

export { handleChange, handleOversized };
