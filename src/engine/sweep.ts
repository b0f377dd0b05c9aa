import { createHash } from 'node:crypto';
import { GetComplianceDetailsByConfigRuleCommand } from '@aws-sdk/client-config-service';
import { AwsReadError } from '../errors.js';
import { notApplicable } from '../model/compliance.js';
import type { Resource, ResourceType } from '../model/resources.js';
import type { SweepSlice } from '../sources/view.js';
import { byCodeUnits } from '../util/order.js';
import { errorMessage, errorName, isRetryableAwsError } from './aws-errors.js';
import { type Context, evaluateAll, regionOfEvent } from './context.js';
import { TEST_MODE_TOKEN } from './deliver.js';
import { cursorKey, type SweepCursor, type SweepCursorStore } from './sweep-cursor.js';

/** A guard against a paginator that never ends (GetComplianceDetailsByConfigRule, 100 per page). */
const MAX_COMPLIANCE_PAGES = 1_000;

/** How a periodic sweep ended: complete, or paused at a saved cursor (a success, not an error). */
interface SweepOutcome {
  complete: boolean;
  /** Resources from the cursor on, still to be judged by later invocations. */
  remaining: number;
  nextId?: string | undefined;
}

/** The slice of the sweep this invocation reads: the view's own when it has one, else all. */
const sliceOf = async (
  ctx: Context,
  fromId: string | undefined,
): Promise<SweepSlice<ResourceType>> => {
  const { view, deadline } = ctx.deps;
  const type = ctx.rule.resourceType as ResourceType;
  if (view.listFrom) return view.listFrom(type, { fromId, deadline });
  const all: Resource[] = await view.list(type);
  const ids = all.map((resource) => resource.id).sort(byCodeUnits);
  const resources = all
    .filter((resource) => fromId === undefined || resource.id >= fromId)
    .sort((a, b) => byCodeUnits(a.id, b.id));
  return { resources, ids };
};

/**
 * Periodic runs never hear about deleted resources, so results of resources that are gone would
 * stay forever; overwrite them with NOT_APPLICABLE (rdklib `clean_up_old_evaluations`). Runs only
 * when a sweep is complete: `current` holds every id the sweep's last listing showed.
 */
const cleanUpStaleResults = async (
  ctx: Context,
  current: ReadonlySet<string>,
  at: Date,
): Promise<boolean> => {
  const { rule, deps, event } = ctx;
  const ruleName = event.configRuleName;
  if (!ruleName) {
    deps.logger.warn('The event names no Config rule; stale results are not cleaned up');
    return true;
  }
  const ruleType: string = rule.resourceType;
  let stale = 0;
  let nextToken: string | undefined;
  let pages = 0;
  try {
    do {
      if (deps.deadline !== undefined && Date.now() >= deps.deadline) {
        deps.logger.warn('Stale-result cleanup stopped at the time budget; the next sweep goes on');
        break;
      }
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
        if (type !== ruleType || !id || current.has(id) || ctx.results.has(type, id)) continue;
        // Ordered after this sweep was triggered: the resource was evaluated by a change after
        // the listing began (created while the sweep ran), so its absence proves nothing, and
        // an older NOT_APPLICABLE must not hide the newer verdict.
        const ordered = result.EvaluationResultIdentifier?.OrderingTimestamp?.getTime();
        if (ordered !== undefined && ordered > at.getTime()) {
          deps.logger.info('Result newer than the sweep kept; not treated as stale', {
            resourceType: type,
            resourceId: id,
          });
          continue;
        }
        ctx.results.add(
          { type, id },
          notApplicable('The resource no longer exists or is no longer in scope.'),
          at,
        );
        stale += 1;
      }
      nextToken = response.NextToken;
      pages += 1;
    } while (nextToken && pages < MAX_COMPLIANCE_PAGES);
  } catch (error) {
    // The fresh verdicts matter more than the housekeeping: deliver them, but say so loudly.
    deps.logger.error('Stale-result cleanup failed; old results of deleted resources remain', {
      error,
      errorName: errorName(error),
    });
    if (!isRetryableAwsError(error)) return true;
    // Throttled or a server fault: a retry may get through, so the invocation fails, but only
    // after delivery; throwing here would lose every verdict this sweep judged.
    ctx.failAfterDelivery = new AwsReadError(
      `Stale-result cleanup failed after the sweep's verdicts were judged (${errorMessage(error)}); failing so it is retried`,
      { cause: error },
    );
    return false;
  }
  if (nextToken && pages >= MAX_COMPLIANCE_PAGES) {
    deps.logger.warn('Stale-result cleanup stopped at the page limit', { pages });
  }
  deps.logger.info('Stale results cleaned up', { stale });
  return true;
};

/**
 * The Config rule a sweep judges for: its id (a rule deleted and re-created under the same name
 * gets a new one) and its parsed parameters. A cursor saved for another fingerprint is dropped:
 * continuing it would leave the resources before it judged by the old rule (or not at all, for a
 * new rule, which AWS Config evaluates in full when it is created) until the next whole sweep.
 */
const ruleFingerprint = (ctx: Context): string =>
  createHash('sha256')
    .update(JSON.stringify([ctx.event.configRuleId ?? null, ctx.params]))
    .digest('hex')
    .slice(0, 32);

/**
 * Puts the cursor back as this invocation found it (none: the sweep starts over), for when the
 * verdicts judged since could not be delivered. Left moved on, the retry would skip them.
 */
const restoreCursor =
  (ctx: Context, store: SweepCursorStore, key: string, found: SweepCursor | undefined) =>
  async (): Promise<void> => {
    try {
      if (found) await store.save(key, found);
      else await store.clear(key);
    } catch (error) {
      ctx.deps.logger.error(
        'Sweep cursor could not be put back; undelivered verdicts wait for the next full sweep',
        {
          error,
        },
      );
    }
  };

/**
 * A periodic sweep over every resource of the rule's type, in id order, from the saved cursor on,
 * until the time budget runs out. When it runs out with a cursor store, the first id not judged is
 * saved and the next periodic invocation continues there; stale results are cleaned (and the
 * cursor dropped) only when the sweep reaches the end with every resource judged.
 */
const sweep = async (ctx: Context, at: Date): Promise<SweepOutcome> => {
  const { deps, event, rule } = ctx;
  // A TESTMODE run (rdk test-remote) stores nothing, its place in the real sweep included.
  const store = event.resultToken === TEST_MODE_TOKEN ? undefined : deps.cursors;
  const region = regionOfEvent(event);
  const key =
    store && event.configRuleName
      ? cursorKey(event.configRuleName, event.accountId ?? 'own', region)
      : undefined;
  let cursor: SweepCursor | undefined;
  if (store && key) {
    try {
      cursor = await store.load(key);
    } catch (error) {
      // Without the cursor the sweep starts over: slower, never wrong.
      deps.logger.warn('Sweep cursor could not be read; sweeping from the start', { error });
    }
  }
  const fingerprint = ruleFingerprint(ctx);
  // Set when a cursor of another rule is dropped: a sweep completed now must delete it.
  let dropped = false;
  if (cursor && cursor.rule !== fingerprint) {
    deps.logger.warn(
      'The Config rule was re-created or its parameters changed since the sweep began; sweeping from the start',
      { continuingFrom: cursor.nextId, sweepStartedAt: cursor.startedAt },
    );
    cursor = undefined;
    dropped = true;
  }
  const slice = await sliceOf(ctx, cursor?.nextId);
  deps.logger.info('Evaluating every resource of the rule type', {
    resourceType: rule.resourceType,
    resources: slice.ids.length,
    ...(cursor ? { continuingFrom: cursor.nextId, sweepStartedAt: cursor.startedAt } : {}),
  });
  await evaluateAll(ctx, slice.resources, at);

  // The first id this sweep still owes a verdict: unjudged, not reached, or not read in time.
  const firstOwed = (skip?: string): string | undefined => {
    let first = slice.nextId;
    for (const { resource } of ctx.unjudged) {
      if (resource.id !== skip && (first === undefined || resource.id < first)) first = resource.id;
    }
    for (const ref of ctx.notReached) {
      if (ref.id !== skip && (first === undefined || ref.id < first)) first = ref.id;
    }
    return first;
  };
  let nextId = firstOwed();
  // The resource the cursor points at failed again: staying there would pin the sweep to it
  // forever (every run restarting at it, the resources before it never judged again). It stays
  // named as unjudged, and the next full sweep tries it again.
  if (
    cursor &&
    nextId === cursor.nextId &&
    ctx.unjudged.some(({ resource }) => resource.id === nextId)
  ) {
    deps.logger.warn('A resource failed again at the sweep cursor; the sweep moves past it', {
      resourceId: nextId,
    });
    nextId = firstOwed(nextId);
  }
  if (nextId === undefined) {
    const cleaned = await cleanUpStaleResults(ctx, new Set(slice.ids), at);
    // Kept when the cleanup must be retried: the retry then judges only the last slice again.
    if (cleaned && store && key && (cursor || dropped)) {
      await store.clear(key);
      ctx.onDeliveryFailure = restoreCursor(ctx, store, key, cursor);
    }
    return { complete: true, remaining: 0 };
  }
  const from = nextId;
  const remaining = slice.ids.filter((id) => id >= from).length;
  let saved = false;
  if (store && key) {
    try {
      await store.save(key, {
        nextId,
        startedAt: cursor?.startedAt ?? at.toISOString(),
        invocations: (cursor?.invocations ?? 0) + 1,
        rule: fingerprint,
      });
      saved = true;
      ctx.onDeliveryFailure = restoreCursor(ctx, store, key, cursor);
    } catch (error) {
      deps.logger.error('Sweep cursor could not be saved; what remains is named as lost', {
        error,
      });
    }
  }
  if (!saved) {
    // Nowhere to keep the place: whatever the budget did not reach is lost and must be named.
    if (slice.nextId !== undefined) {
      const owed = new Set(ctx.notReached.map((ref) => ref.id));
      const stoppedAt = slice.nextId;
      for (const id of slice.ids) {
        if (id >= stoppedAt && !owed.has(id) && !ctx.results.has(rule.resourceType, id)) {
          ctx.notReached.push({ type: rule.resourceType as ResourceType, id });
        }
      }
    }
    return { complete: false, remaining, nextId };
  }
  // Saved: what the deadline did not reach is the next invocation's work, not a loss.
  ctx.notReached.length = 0;
  deps.logger.info('Sweep paused at the time budget; the next periodic run continues it', {
    nextId,
    remaining,
    sweepStartedAt: cursor?.startedAt ?? at.toISOString(),
  });
  return { complete: false, remaining, nextId };
};

export type { SweepOutcome };
export { sweep };
