import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { EvidenceSink } from '../model/evidence.js';
import { evidenceSinkFromEnv } from '../report/evidence-sink.js';
import type { AnyRule } from '../rules/rule.js';
import type { AwsClients } from '../sources/aws/clients.js';
import { createClients } from '../sources/aws/clients.js';
import { countCalls } from '../sources/aws/counter.js';
import type { AccountView } from '../sources/view.js';
import { errorMessage, errorName } from './aws-errors.js';
import type { ConfigRuleEvent } from './event.js';
import { isRecord, validateConfigRuleEvent } from './event.js';
import {
  type AssumeRole,
  assumeRoleWithSts,
  MEMBER_ROLE_ENV,
  memberRoleArn,
} from './member-account.js';
import type { RunSummary } from './run-rule.js';
import { runRule } from './run-rule.js';
import { SWEEP_BUCKET_ENV, type SweepCursorStore, s3CursorStore } from './sweep-cursor.js';

/** Builds the view one invocation reads through; the clients are the container's shared ones. */
type ViewFactory = (
  event: ConfigRuleEvent,
  clients: AwsClients,
) => AccountView | Promise<AccountView>;

interface RuleHandlerOptions {
  /** Defaults to a live view over the account the Lambda runs in. */
  viewFactory?: ViewFactory;
  logger?: Logger;
  /** How member-account credentials are obtained (tests replace STS). */
  assumeRole?: AssumeRole;
  /** Member-account role name; defaults to the VPCE_GUARD_MEMBER_ROLE_NAME environment variable. */
  memberRoleName?: string;
  /** Replaces the real delay between PutEvaluations retries (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Where paused sweeps keep their place; defaults to the bucket VPCE_GUARD_REPORT_BUCKET names. */
  cursors?: SweepCursorStore;
  /** Full evidence of each delivered evaluation (report bucket); none when unset. */
  evidence?: EvidenceSink;
  /** Time kept back from the Lambda deadline for delivery (ms); defaults to 20% within 5–30 s. */
  deliveryMarginMs?: number;
}

/** The time left for reading and judging, and when delivery must be over. */
const budgetOf = (
  context: Context | undefined,
  marginMs: number | undefined,
): { deadline?: number; hardStop?: number } => {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (typeof remaining !== 'number' || !Number.isFinite(remaining)) return {};
  const margin = marginMs ?? Math.min(30_000, Math.max(5_000, remaining * 0.2));
  const now = Date.now();
  // Past `hardStop` nothing is delivered any more: the runtime is about to end the invocation.
  return { deadline: now + remaining - margin, hardStop: now + remaining - 1_000 };
};

const isScheduled = (event: ConfigRuleEvent): boolean => {
  try {
    const invoking: unknown = JSON.parse(event.invokingEvent);
    return isRecord(invoking) && invoking.messageType === 'ScheduledNotification';
  } catch {
    return false;
  }
};

/**
 * A fresh live view per invocation (its caches must not outlive one run) over the shared clients.
 * Imported on first use so a handler whose view is injected never loads the EC2/S3 readers.
 */
const liveViewFactory: ViewFactory = async (event, clients) => {
  const { bucketTagsNeeded, createLiveView } = await import('../sources/aws/live-view.js');
  // A periodic run sweeps every resource: one account-wide list per type beats per-VPC queries.
  // No rule reads a bucket's public access block, and the rule roles are not granted it.
  return createLiveView({
    clients,
    accountId: event.accountId,
    wholeLists: isScheduled(event),
    readPublicAccessBlock: false,
    readBucketTags: bucketTagsNeeded([rawParameters(event.ruleParameters)]),
  });
};

/**
 * The rule's parameters as Config sends them, for the one question asked before they are
 * validated: is the rule scoped by bucket tag? Unreadable text counts as scoped (tags are read),
 * and the rule run itself then reports the parameters' error.
 */
const rawParameters = (text: string | undefined): unknown => {
  try {
    return JSON.parse(text ?? '{}');
  } catch {
    return { bucketTagKey: '' };
  }
};

/**
 * The Lambda entry point for one rule: middy with the Powertools logger (structured JSON, tagged
 * with the rule id and the Lambda context). AWS clients are built once per container, with
 * adaptive retries; everything about the Config protocol happens in `runRule`.
 */
const createRuleHandler = (rule: AnyRule, options: RuleHandlerOptions = {}) => {
  const logger =
    options.logger ??
    new Logger({ serviceName: 'vpce-guard', persistentKeys: { ruleId: rule.id } });
  if (options.logger) logger.appendPersistentKeys({ ruleId: rule.id });
  const viewFactory = options.viewFactory ?? liveViewFactory;
  const assumeRole = options.assumeRole ?? assumeRoleWithSts;
  const memberRoleName = options.memberRoleName ?? (process.env[MEMBER_ROLE_ENV] || undefined);
  // One client set per account for the life of the container: the own account's default chain,
  // and for organization rules one per member account through its assumed (auto-refreshed) role.
  const clientsByAccount = new Map<string, AwsClients>();

  const ownClients = (): AwsClients => {
    let clients = clientsByAccount.get('own');
    if (!clients) {
      clients = createClients();
      clientsByAccount.set('own', clients);
    }
    return clients;
  };
  // Cursors live in the deploying account's report bucket, read with the function's own role.
  const cursorBucket = process.env[SWEEP_BUCKET_ENV] || undefined;
  let cursors = options.cursors;
  const cursorStore = (): SweepCursorStore | undefined => {
    if (!cursors && cursorBucket) cursors = s3CursorStore(ownClients().s3, cursorBucket);
    return cursors;
  };

  // Evidence goes to the deploying account's report bucket (REPORT_BUCKET), with the own role too.
  let evidence = options.evidence;
  const evidenceSink = (): EvidenceSink | undefined => {
    // The client is built on the first write, inside the sink's own error handling.
    evidence ??= evidenceSinkFromEnv(() => ownClients().s3);
    return evidence;
  };

  const clientsFor = (event: ConfigRuleEvent, context: Context | undefined): AwsClients => {
    const roleArn = memberRoleArn(
      memberRoleName,
      typeof event.accountId === 'string' ? event.accountId : undefined,
      context?.invokedFunctionArn,
      typeof event.configRuleArn === 'string' ? event.configRuleArn : undefined,
    );
    const key = roleArn ?? 'own';
    let clients = clientsByAccount.get(key);
    if (!clients) {
      clients = roleArn
        ? createClients({ credentials: assumeRole(roleArn, `vpce-guard-${rule.id}`.slice(0, 64)) })
        : createClients();
      clientsByAccount.set(key, clients);
      if (roleArn) logger.info('Reading a member account through its role', { roleArn });
    }
    return clients;
  };

  const evaluateEvent = async (raw: unknown, context?: Context): Promise<RunSummary> => {
    // Validated before anything reads it, so a malformed event fails with InvalidEventError.
    let event: ConfigRuleEvent;
    try {
      event = validateConfigRuleEvent(raw);
    } catch (error) {
      logger.error(errorMessage(error), { errorName: errorName(error) });
      throw error;
    }
    let shared: AwsClients;
    try {
      shared = clientsFor(event, context);
    } catch (error) {
      logger.error(errorMessage(error), { errorName: errorName(error) });
      throw error;
    }
    if (isRecord(event) && typeof event.configRuleName === 'string') {
      logger.appendKeys({ configRuleName: event.configRuleName });
    }
    const { deadline, hardStop } = budgetOf(context, options.deliveryMarginMs);
    shared.retryBudget.reset(deadline);
    // Aborted when this invocation ends, however it ends: a run abandoned by a timeout must not
    // call PutEvaluations for an invocation Config already considers failed.
    const ended = new AbortController();
    const stopTimer =
      hardStop === undefined
        ? undefined
        : setTimeout(() => ended.abort(), Math.max(0, hardStop - Date.now()));
    try {
      const view = await viewFactory(event, shared);
      const { result, calls } = await countCalls(shared.counter, () =>
        runRule(rule, event, {
          config: shared.config,
          view,
          logger,
          deadline,
          signal: ended.signal,
          cursors: cursorStore(),
          evidence: evidenceSink(),
          ...(options.sleep ? { sleep: options.sleep } : {}),
        }),
      );
      logger.info('AWS API calls of this invocation', {
        apiCalls: calls,
        retries: shared.retryBudget.retries,
      });
      return result;
    } finally {
      if (stopTimer) clearTimeout(stopTimer);
      ended.abort();
    }
  };

  return middy<unknown, RunSummary>(evaluateEvent).use(
    injectLambdaContext(logger, { resetKeys: true }),
  );
};

export type { RuleHandlerOptions, ViewFactory };
export { createRuleHandler };
