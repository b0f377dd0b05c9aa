import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ComplianceChange } from './event.js';

/**
 * The ordering timestamp of the newest transition alerted per (account, region, Config rule,
 * resource). SQS does not keep order across batches, and a record whose alert SNS refused comes
 * back only after its visibility timeout: by then the resource's next transition may have gone
 * out. A "resolved" sent after the newer violation it predates tells people a violation is over
 * that is not (and a late violation re-opens one that is): such a transition is superseded and
 * sends nothing.
 */
interface LatestTransitions {
  /** The ordering timestamp (ISO) of the newest transition alerted for this resource, if any. */
  newest(change: ComplianceChange): Promise<string | undefined>;
  /** Records an alerted transition; an older one never replaces a newer one. */
  record(change: ComplianceChange): Promise<void>;
}

/** Whether a newer transition of the same resource was alerted already. */
const isSuperseded = (change: ComplianceChange, newest: string | undefined): boolean =>
  newest !== undefined && Date.parse(newest) > Date.parse(change.orderingTimestamp);

const resourceKey = (change: ComplianceChange): string =>
  `vpce-guard-latest#${JSON.stringify([
    change.accountId,
    change.region,
    change.configRuleName,
    change.resourceType,
    change.resourceId,
  ])}`;

/**
 * Kept in the idempotency table (key `id`, TTL `expiration`) next to Powertools' records: longer
 * than a message can wait in the queue, so a late redelivery still finds the newer transition.
 */
const dynamoLatestTransitions = (
  dynamo: DynamoDBClient,
  table: string,
  ttlSeconds: number,
  now: () => Date = () => new Date(),
): LatestTransitions => ({
  async newest(change) {
    const { Item } = await dynamo.send(
      new GetItemCommand({
        TableName: table,
        Key: { id: { S: resourceKey(change) } },
        ConsistentRead: true,
      }),
    );
    return Item?.orderingTimestamp?.S;
  },
  async record(change) {
    try {
      await dynamo.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { id: { S: resourceKey(change) } },
          UpdateExpression: 'SET #at = :at, #expiration = :expiration',
          // ISO times of one format (toISOString) compare as strings.
          ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
          // Names, not words: DynamoDB reserves many attribute-like words.
          ExpressionAttributeNames: { '#at': 'orderingTimestamp', '#expiration': 'expiration' },
          ExpressionAttributeValues: {
            ':at': { S: change.orderingTimestamp },
            ':expiration': { N: String(Math.floor(now().getTime() / 1000) + ttlSeconds) },
          },
        }),
      );
    } catch (error) {
      // A newer transition is recorded already: it stays.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  },
});

/** In memory (tests, local runs without a table). */
const memoryLatestTransitions = (): LatestTransitions & {
  readonly entries: Map<string, string>;
} => {
  const entries = new Map<string, string>();
  return {
    entries,
    async newest(change) {
      return entries.get(resourceKey(change));
    },
    async record(change) {
      const key = resourceKey(change);
      if (!isSuperseded(change, entries.get(key))) entries.set(key, change.orderingTimestamp);
    },
  };
};

export type { LatestTransitions };
export { dynamoLatestTransitions, isSuperseded, memoryLatestTransitions };
