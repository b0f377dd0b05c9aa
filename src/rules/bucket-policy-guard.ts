import { PolicyParseError } from '../errors.js';
import type { Verdict } from '../model/compliance.js';
import { compliant, nonCompliant, notApplicable, unverifiable } from '../model/compliance.js';
import type { Bucket } from '../model/resources.js';
import type { ConditionEntry, PolicyDocument } from '../policy/document.js';
import { parsePolicy } from '../policy/document.js';
import {
  describeExemptions,
  describeGap,
  describeGuards,
  describeRejections,
  type ExplainWords,
} from '../policy/explain.js';
import { analyseGuards, type GuardAnalysis } from '../policy/guard.js';
import { type BucketScope, bucketArn, bucketScopeOf } from './bucket-scope.js';

/**
 * The shape both bucket-policy rules share: scope, read and parse the policy, run the guard
 * analysis on the bucket and its objects, and word the verdict. A rule supplies what its guard is
 * (keys, entry check) and the sentences that differ.
 */

interface BucketGuardParams extends BucketScope {
  exemptionConditionKeys: readonly string[];
}

interface BucketGuardSpec {
  /** Lower-case condition keys that form the guard. */
  guardKeys: readonly string[];
  checkGuardEntry(entry: ConditionEntry): string | undefined;
  words: ExplainWords;
  /** What the bucket accepts when the guard is missing: "plain-HTTP requests". */
  accepts: string;
  /** Why nothing qualifies when no statement even tries. */
  noGuard: string;
  /** One sentence: how to add the guard. */
  fix: string;
  /** Advice when reading the policy was denied. */
  unreadableAdvice: string;
  /** "deny plain-HTTP requests": what an unparseable policy cannot be shown to do. */
  mustShow: string;
  /** How the compliant annotation says when requests are denied: "over plain HTTP (...)". */
  describeScope(analysis: GuardAnalysis): string;
  /** Extra sentences for a compliant verdict (notes about wildcards, say). */
  notes?(analysis: GuardAnalysis): string[];
}

const compliantVerdict = (
  bucket: Bucket,
  analysis: GuardAnalysis,
  spec: BucketGuardSpec,
): Verdict =>
  compliant(
    [
      `Bucket ${bucket.name}: ${describeGuards(analysis)} every S3 action on the bucket and its objects ${spec.describeScope(analysis)}.`,
      describeExemptions(analysis),
      ...(spec.notes?.(analysis) ?? []),
    ]
      .filter((part) => part !== '')
      .join(' '),
  );

const nonCompliantVerdict = (
  bucket: Bucket,
  analysis: GuardAnalysis,
  spec: BucketGuardSpec,
): Verdict => {
  const rejections = describeRejections(analysis, spec.words);
  if (analysis.guards.length === 0) {
    const reason = rejections.length > 0 ? rejections.join('; ') : spec.noGuard;
    return nonCompliant(`Bucket ${bucket.name} accepts ${spec.accepts}: ${reason}. ${spec.fix}`);
  }
  const gaps = analysis.gaps.map((gap) => describeGap(gap, spec.words));
  const also = rejections.length > 0 ? ` Also: ${rejections.join('; ')}.` : '';
  return nonCompliant(
    `Bucket ${bucket.name} accepts some ${spec.accepts}: ${gaps.join('; ')}.${also}`,
  );
};

const analyse = (
  bucket: Bucket,
  policy: PolicyDocument,
  params: BucketGuardParams,
  spec: BucketGuardSpec,
): Verdict => {
  const arn = bucketArn(bucket);
  const analysis = analyseGuards(policy, {
    guardKeys: spec.guardKeys,
    checkGuardEntry: spec.checkGuardEntry,
    exemptKeys: params.exemptionConditionKeys.map((key) => key.toLowerCase()),
    actions: 's3:*',
    targets: [
      { label: 'the bucket', resource: arn },
      { label: 'its objects', resource: `${arn}/*` },
    ],
  });
  return analysis.complete
    ? compliantVerdict(bucket, analysis, spec)
    : nonCompliantVerdict(bucket, analysis, spec);
};

/** The whole evaluation of a bucket-policy guard rule for one bucket. */
const evaluateBucketGuard = (
  bucket: Bucket,
  params: BucketGuardParams,
  spec: BucketGuardSpec,
): Verdict => {
  const scope = bucketScopeOf(bucket, params);
  if (scope.kind === 'out-of-scope') return notApplicable(scope.reason);
  if (scope.kind === 'unknown') return unverifiable(scope.reason);
  const source = bucket.policy;
  if (source.kind === 'unreadable') {
    return unverifiable(
      `Could not verify the bucket policy of ${bucket.name}: reading it was denied (${source.reason}). ${spec.unreadableAdvice}`,
    );
  }
  if (source.kind === 'absent') {
    return nonCompliant(
      `Bucket ${bucket.name} has no bucket policy, so ${spec.accepts} are not denied. ${spec.fix}`,
    );
  }
  let policy: PolicyDocument;
  try {
    policy = parsePolicy(source.text);
  } catch (error) {
    if (!(error instanceof PolicyParseError)) throw error;
    return nonCompliant(
      `The bucket policy of ${bucket.name} cannot be analysed (${error.message}), so it cannot be shown to ${spec.mustShow}.`,
    );
  }
  return analyse(bucket, policy, params, spec);
};

/**
 * What the live view calls to read buckets: the Config-first path (recorder status, discovered
 * buckets, 100 items a batch) and the S3 fallback (list, locate, policy, tags). Checked against
 * the calls really made by test/integration/least-privilege.test.ts.
 */
const BUCKET_READ_ACTIONS = [
  'config:DescribeConfigurationRecorderStatus',
  'config:ListDiscoveredResources',
  'config:BatchGetResourceConfig',
  's3:ListAllMyBuckets',
  's3:GetBucketLocation',
  's3:GetBucketPolicy',
  's3:GetBucketTagging',
] as const;

export type { BucketGuardParams, BucketGuardSpec };
export { BUCKET_READ_ACTIONS, evaluateBucketGuard };
