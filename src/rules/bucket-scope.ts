import type { Bucket } from '../model/resources.js';
import { wildcardMatch } from '../policy/wildcard.js';

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
      'With bucketTagKey: only evaluate buckets whose tag has this value (for example pci). Ignored without bucketTagKey.',
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

/** Why the bucket is out of scope (the NOT_APPLICABLE annotation), or `undefined` when in scope. */
const bucketOutOfScope = (bucket: Bucket, scope: BucketScope): string | undefined => {
  const exemption = scope.exemptBuckets.find((pattern) => wildcardMatch(pattern, bucket.name));
  if (exemption !== undefined) {
    return `Bucket ${bucket.name} is exempt (exemptBuckets: ${exemption}).`;
  }
  if (scope.bucketTagKey === undefined) return undefined;
  const value = bucket.tags[scope.bucketTagKey];
  if (value === undefined) {
    return `Bucket ${bucket.name} has no tag ${scope.bucketTagKey}, so it is out of this rule's scope.`;
  }
  if (scope.bucketTagValue !== undefined && value !== scope.bucketTagValue) {
    return `Bucket ${bucket.name} has ${scope.bucketTagKey}=${value}, not ${scope.bucketTagValue}, so it is out of this rule's scope.`;
  }
  return undefined;
};

/** The bucket ARN in the bucket's partition (aws, aws-cn, aws-us-gov). */
const bucketArn = (bucket: Bucket): string => {
  if (bucket.arn?.startsWith('arn:')) return bucket.arn;
  const region = bucket.region ?? '';
  const partition = region.startsWith('cn-')
    ? 'aws-cn'
    : region.startsWith('us-gov-')
      ? 'aws-us-gov'
      : 'aws';
  return `arn:${partition}:s3:::${bucket.name}`;
};

export type { BucketScope };
export { bucketArn, bucketOutOfScope, bucketScopeParams };
