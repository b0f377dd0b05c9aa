import type { Bucket } from '../model/resources.js';
import { wildcardMatch } from '../policy/wildcard.js';
import { partitionOfArn, partitionOfRegion } from '../util/partitions.js';

/**
 * Scoping parameters shared by the bucket-policy rules: which buckets a rule judges. Buckets out of
 * scope are NOT_APPLICABLE, so a tagged rollout ("only buckets tagged data-class=pci") shows a clean
 * dashboard for the rest.
 */
const bucketScopeParams = {
  bucketTagKey: {
    type: 'string',
    description: 'Only evaluate buckets carrying this tag key (for example data-class).',
  },
  bucketTagValue: {
    type: 'string',
    description:
      'With bucketTagKey: only evaluate buckets whose tag has this value (for example pci).',
    requires: 'bucketTagKey',
  },
  exemptBuckets: {
    type: 'list',
    description:
      'Bucket names (wildcards * and ? allowed) that are NOT_APPLICABLE, for example log or public website buckets.',
  },
} as const;

interface BucketScope {
  bucketTagKey: string | undefined;
  bucketTagValue: string | undefined;
  exemptBuckets: readonly string[];
}

type ScopeDecision =
  | { kind: 'in-scope' }
  | { kind: 'out-of-scope'; reason: string }
  /** Scoping depends on tags the scanner was denied: never silently drop such a bucket. */
  | { kind: 'unknown'; reason: string };

const tagScopeReason = (
  bucket: Bucket,
  tagKey: string,
  tagValue: string | undefined,
): string | undefined => {
  // Own properties only: a tag key such as `constructor` must not read the object prototype.
  const value = Object.hasOwn(bucket.tags, tagKey) ? bucket.tags[tagKey] : undefined;
  if (value === undefined) {
    return `Bucket ${bucket.name} has no tag ${tagKey}, so it is out of this rule's scope.`;
  }
  if (tagValue !== undefined && value !== tagValue) {
    return `Bucket ${bucket.name} has ${tagKey}=${value}, not ${tagValue}, so it is out of this rule's scope.`;
  }
  return undefined;
};

/** Whether a rule judges the bucket; the reasons become NOT_APPLICABLE or "Could not verify" text. */
const bucketScopeOf = (bucket: Bucket, scope: BucketScope): ScopeDecision => {
  const exemption = scope.exemptBuckets.find((pattern) => wildcardMatch(pattern, bucket.name));
  if (exemption !== undefined) {
    return {
      kind: 'out-of-scope',
      reason: `Bucket ${bucket.name} is exempt (exemptBuckets: ${exemption}).`,
    };
  }
  if (scope.bucketTagKey === undefined) return { kind: 'in-scope' };
  if (bucket.tagsUnreadable !== undefined) {
    return {
      kind: 'unknown',
      reason: `Could not verify whether bucket ${bucket.name} is in scope (tag ${scope.bucketTagKey}): ${bucket.tagsUnreadable}. Allow the scanner s3:GetBucketTagging on the bucket, or run it where AWS Config records the bucket.`,
    };
  }
  const reason = tagScopeReason(bucket, scope.bucketTagKey, scope.bucketTagValue);
  return reason === undefined ? { kind: 'in-scope' } : { kind: 'out-of-scope', reason };
};

/**
 * The bucket ARN in the bucket's partition. A partition other than `aws` in the recorded ARN was
 * recorded by AWS Config, so it stands. An `arn:aws:` ARN may be the adapter's default for an item
 * recorded without one, so the region's partition wins when the region names another partition
 * (a GovCloud or ISO bucket is not judged against arn:aws: resources).
 */
const bucketArn = (bucket: Bucket): string => {
  const recorded = bucket.arn?.startsWith('arn:') ? bucket.arn : undefined;
  const recordedPartition = partitionOfArn(recorded);
  const regionPartition = partitionOfRegion(bucket.region);
  if (
    recorded !== undefined &&
    (recordedPartition !== 'aws' || regionPartition === undefined || regionPartition === 'aws')
  ) {
    return recorded;
  }
  return `arn:${regionPartition ?? 'aws'}:s3:::${bucket.name}`;
};

export type { BucketScope, ScopeDecision };
export { bucketArn, bucketScopeOf, bucketScopeParams };
