import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { type IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { EngineLogger } from '../engine/logger.js';
import { InvalidEventError } from '../errors.js';
import type { SuppressionMatcher } from '../report/suppressions.js';
import { RULES } from '../rules/index.js';
import type { AnyRule } from '../rules/rule.js';
import { digestMessage } from './digest.js';
import { type ComplianceChange, parseComplianceEvent, transitionOf } from './event.js';
import type { EvidenceReader } from './evidence-reader.js';
import { isSuperseded, type LatestTransitions } from './latest.js';
import { type AlertMessage, reasonOf, type Transition, transitionMessage } from './message.js';
import { BatchOutbox } from './outbox.js';
import type { AlertPublisher } from './publisher.js';

/**
 * The notifier: one SQS batch of `Config Rules Compliance Change` events in, alerts out.
 * - malformed and foreign events are logged and dropped (never retried);
 * - same-state results, suppressed evaluations and repeats of an event already alerted send nothing;
 * - a group (account, region, Config rule) with more than `digestAbove` transitions in the batch
 *   becomes one digest; smaller groups send one message per transition;
 * - a record fails (and SQS redelivers it, then dead-letters it) only when its alert was not sent.
 */

/** Groups larger than this become a digest. */
const DEFAULT_DIGEST_ABOVE = 5;

interface IdempotencyOptions {
  persistenceStore: BasePersistenceLayer;
  config: IdempotencyConfig;
}

interface NotifierOptions {
  publisher: AlertPublisher;
  logger: EngineLogger;
  evidence?: EvidenceReader | undefined;
  /** Active suppressions at this instant; undefined for none. */
  suppressions?: ((now: Date) => Promise<SuppressionMatcher | undefined>) | undefined;
  /** Deduplication across deliveries; without it only repeats inside one batch are dropped. */
  idempotency?: IdempotencyOptions | undefined;
  /** The newest transition alerted per resource, so a late older one is not sent after it. */
  latest?: LatestTransitions | undefined;
  rules?: readonly AnyRule[];
  digestAbove?: number;
  now?: () => Date;
}

/** What makes a transition unique: Config may deliver the same event more than once. */
const dedupKeyOf = (change: ComplianceChange) => ({
  accountId: change.accountId,
  region: change.region,
  configRuleName: change.configRuleName,
  resourceType: change.resourceType,
  resourceId: change.resourceId,
  complianceType: change.newState,
  orderingTimestamp: change.orderingTimestamp,
});

const groupOf = ({ change }: Transition): string =>
  JSON.stringify([change.accountId, change.region, change.configRuleName]);

type DedupKey = ReturnType<typeof dedupKeyOf>;

const createNotifier = (options: NotifierOptions) => {
  const { publisher, logger } = options;
  const rules = options.rules ?? RULES;
  const ruleIds = rules.map((rule) => rule.id);
  const digestAbove = options.digestAbove ?? DEFAULT_DIGEST_ABOVE;
  const now = options.now ?? (() => new Date());

  // The key (argument 0) is hashed; the callback carries the per-record work.
  const idempotentRun = options.idempotency
    ? makeIdempotent(
        async (_key: DedupKey, run: () => Promise<void>) => {
          await run();
          return { alerted: true };
        },
        {
          persistenceStore: options.idempotency.persistenceStore,
          config: options.idempotency.config,
          keyPrefix: 'vpce-guard-alert',
          dataIndexArgument: 0,
        },
      )
    : undefined;
  const once = (change: ComplianceChange, run: () => Promise<void>): Promise<unknown> =>
    idempotentRun ? idempotentRun(dedupKeyOf(change), run) : run();

  const publish = async (message: AlertMessage, members: number): Promise<void> => {
    const messageId = await publisher.publish(message);
    logger.info('Alert sent', {
      subject: message.subject,
      alertType: message.attributes.alertType,
      transitions: members,
      messageId,
    });
  };

  /** After SNS accepted: a failure here must not fail (and so re-send) an alert that went out. */
  const remember = async (members: readonly Transition[]): Promise<void> => {
    if (!options.latest) return;
    const { latest } = options;
    await Promise.all(
      members.map(({ change }) =>
        latest.record(change).catch((error: unknown) => {
          logger.warn('Could not record the newest alerted transition', {
            resourceId: change.resourceId,
            errorName: (error as Error).name,
            errorMessage: (error as Error).message,
          });
        }),
      ),
    );
  };

  /** Transitions older than one already alerted for their resource send nothing. */
  const dropSuperseded = async (planned: Map<string, Transition>): Promise<void> => {
    if (!options.latest) return;
    const { latest } = options;
    await Promise.all(
      [...planned].map(async ([messageId, { change }]) => {
        let newest: string | undefined;
        try {
          newest = await latest.newest(change);
        } catch (error) {
          // Unknown: alerting late beats staying silent.
          logger.warn('Could not read the newest alerted transition; alerting', {
            messageId,
            errorName: (error as Error).name,
            errorMessage: (error as Error).message,
          });
          return;
        }
        if (!isSuperseded(change, newest)) return;
        logger.info('No alert: a newer transition of this resource was alerted already', {
          messageId,
          configRuleName: change.configRuleName,
          resourceId: change.resourceId,
          complianceType: change.newState,
          orderingTimestamp: change.orderingTimestamp,
          newerAlerted: newest,
        });
        planned.delete(messageId);
      }),
    );
  };

  const sendOne = async (transition: Transition): Promise<void> => {
    const { record, uri } = (await options.evidence?.read(transition.change)) ?? {};
    await publish(transitionMessage(transition, reasonOf(transition.change, record, uri)), 1);
    await remember([transition]);
  };

  /**
   * One alert per transition: a resource's transitions go out in the order they happened (a
   * "resolved" never before the violation it closes), different resources in parallel. A failed
   * one fails the later ones of its resource, so the retry sends them in order again.
   */
  const sendInOrder = async (members: readonly Transition[]): Promise<(Error | undefined)[]> => {
    const results: (Error | undefined)[] = members.map(() => undefined);
    const byResource = new Map<string, number[]>();
    members.forEach(({ change }, index) => {
      const key = `${change.resourceType}\u0000${change.resourceId}`;
      const indexes = byResource.get(key) ?? [];
      indexes.push(index);
      byResource.set(key, indexes);
    });
    const timeOf = (index: number): number =>
      Date.parse((members[index] as Transition).change.orderingTimestamp) || 0;
    await Promise.all(
      [...byResource.values()].map(async (indexes) => {
        let failed: Error | undefined;
        for (const index of indexes.sort((a, b) => timeOf(a) - timeOf(b))) {
          if (failed === undefined) {
            try {
              await sendOne(members[index] as Transition);
            } catch (error) {
              failed = error as Error;
            }
          }
          results[index] = failed;
        }
      }),
    );
    return results;
  };

  const sendGroup = async (
    _group: string,
    members: readonly Transition[],
  ): Promise<(Error | undefined)[]> => {
    const first = members[0];
    if (first && members.length > digestAbove) {
      const { change, rule } = first;
      const message = digestMessage(
        {
          rule,
          accountId: change.accountId,
          region: change.region,
          configRuleName: change.configRuleName,
        },
        members,
      );
      await publish(message, members.length);
      await remember(members);
      return members.map(() => undefined);
    }
    return sendInOrder(members);
  };

  /** Which records carry a transition to alert on; everything else is logged here and dropped. */
  const plan = async (records: readonly SQSRecord[]): Promise<Map<string, Transition>> => {
    const planned = new Map<string, Transition>();
    const seen = new Set<string>();
    const matcher = await options.suppressions?.(now());
    for (const record of records) {
      const where = { messageId: record.messageId };
      let parsed: ReturnType<typeof parseComplianceEvent>;
      try {
        parsed = parseComplianceEvent(record.body, ruleIds);
      } catch (error) {
        // Retrying cannot repair it: drop it, loudly.
        logger.error('Dropping a malformed event', {
          ...where,
          errorName: error instanceof InvalidEventError ? error.name : 'Error',
          errorMessage: (error as Error).message,
          body: record.body.slice(0, 1_000),
        });
        continue;
      }
      if (parsed.kind === 'foreign') {
        logger.warn('Dropping an event that is not for vpce-guard', {
          ...where,
          reason: parsed.reason,
        });
        continue;
      }
      const { change } = parsed;
      const context = {
        ...where,
        configRuleName: change.configRuleName,
        resourceId: change.resourceId,
        accountId: change.accountId,
        complianceType: change.newState,
        previousComplianceType: change.oldState,
      };
      const kind = transitionOf(change);
      const rule = rules.find((candidate) => candidate.id === change.ruleId);
      if (!kind || !rule) {
        logger.debug('No alert: compliance did not change in a way that needs one', context);
        continue;
      }
      const mark = matcher?.match({
        ruleId: change.ruleId,
        resourceId: change.resourceId,
        accountId: change.accountId,
        region: change.region,
      });
      if (mark) {
        logger.info('No alert: the evaluation is suppressed', { ...context, suppression: mark });
        continue;
      }
      const key = JSON.stringify(dedupKeyOf(change));
      if (seen.has(key)) {
        logger.info('No alert: the same transition arrived twice in this batch', context);
        continue;
      }
      seen.add(key);
      planned.set(record.messageId, { change, kind, rule });
    }
    return planned;
  };

  const processBatch = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    if (context) options.idempotency?.config.registerLambdaContext(context);
    const planned = await plan(event.Records);
    await dropSuperseded(planned);
    const outbox = new BatchOutbox<Transition>(sendGroup);
    for (const transition of planned.values()) outbox.expect(groupOf(transition));
    const handleRecord = async (record: SQSRecord): Promise<void> => {
      const transition = planned.get(record.messageId);
      if (!transition) return;
      const group = groupOf(transition);
      let joined = false;
      try {
        await once(transition.change, () => {
          joined = true;
          return outbox.join(group, transition);
        });
      } finally {
        // Already alerted (the stored result came back without running) or failed before joining.
        if (!joined) outbox.skip(group);
      }
    };
    return processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      ...(context ? { context } : {}),
    });
  };

  return { processBatch };
};

export type { IdempotencyOptions, NotifierOptions };
export { createNotifier, DEFAULT_DIGEST_ABOVE, dedupKeyOf };
