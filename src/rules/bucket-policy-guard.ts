import { PolicyParseError } from '../errors.js';
import type { Verdict } from '../model/compliance.js';
import { compliant, nonCompliant, notApplicable, unverifiable } from '../model/compliance.js';
import type { Bucket } from '../model/resources.js';
import { analyseShape } from '../policy/cache.js';
import type { Miss } from '../policy/containment.js';
import { statementLabel } from '../policy/document.js';
import { accountKey, describeExemptions, resolveExemptions } from '../policy/exemptions.js';
import { describeCounterexample, fitAnnotation, listSome } from '../policy/explain.js';
import type { Exemptions, Fence, FenceResult } from '../policy/fence.js';
import { LruCache } from '../policy/lru.js';
import { TemplateCache } from '../policy/template.js';
import { type BucketScope, bucketArn, bucketScopeOf } from './bucket-scope.js';
import { filled, planned, renamed, type Worded } from './bucket-verdict-restore.js';

/**
 * The shape both bucket-policy rules share: scope, read and parse the policy, ask the fence
 * question of it (src/policy/fence.ts) and word the verdict. A rule supplies its fence and the
 * sentences that differ.
 */

interface BucketGuardParams extends BucketScope {
  exemptions: Record<string, string[]> | undefined;
}

interface BucketGuardSpec {
  fence: Fence;
  /** What must be denied, e.g. "requests from outside the approved VPC endpoints". */
  outside: string;
  /** One short sentence: how to add the fence. */
  fix: string;
  /** Advice when reading the policy was denied. */
  unreadableAdvice: string;
  /** Lower-case keys that form the fence itself (a failing entry on one is a broken fence). */
  fenceKeys: readonly string[];
  /** What to do when an entry on a fence key lets requests through. */
  fenceAdvice: string;
  /** How the compliant annotation names the fence: "outside vpce-0a1b…". */
  describeFence(result: FenceResult): string;
}

/** What to do about one kind of miss, short enough for the annotation. */
const adviceFor = (miss: Miss | undefined, spec: BucketGuardSpec): string => {
  switch (miss?.kind) {
    case 'action':
      return 'Use Action "s3:*" in the Deny.';
    case 'resource':
      return 'Cover the bucket ARN and bucket/* in the Deny.';
    case 'principal':
      return 'Use Principal "*" in the Deny; carve exceptions out with conditions.';
    case 'undecided':
      return 'Use literal values and documented operators and keys in the Deny.';
    case 'condition':
      return miss.entry && spec.fenceKeys.includes(miss.entry.keyLower)
        ? spec.fenceAdvice
        : 'Remove the carve-out or accept it in the exemptions parameter.';
    default:
      return spec.fix;
  }
};

const nonCompliantVerdict = (
  bucket: Bucket,
  result: FenceResult,
  spec: BucketGuardSpec,
  exemptions: Exemptions,
): Worded => {
  const [first] = result.escapes;
  // The statement meant as the fence (it tests a fence key) explains best why requests get in.
  const misses = first?.misses ?? [];
  const miss =
    misses.find((m) => m.statement.conditions.some((c) => spec.fenceKeys.includes(c.keyLower))) ??
    misses[0];
  const advice = adviceFor(miss, spec);
  const noDeny = result.denies.length === 0;
  const what = result.allActionsEscape ? 'every S3 action' : listSome(result.escapingActions, 2);
  const allowNote =
    result.allows.length > 0
      ? ` (${result.allows.map(statementLabel).join(', ')} ${result.allows.length === 1 ? 'is an Allow' : 'are Allows'}: an Allow grants, it never keeps requests out)`
      : '';
  const cause = noDeny
    ? (miss?.text ?? `no Deny statement covers ${spec.outside}${allowNote}`)
    : (miss?.text ?? `the Deny statements leave ${spec.outside} out`);
  // Config shows the annotation next to the bucket, so shorter variants leave the name out.
  const variants = [
    `Bucket ${bucket.name} lets ${spec.outside} in (${what}): ${cause}. ${advice}`,
    `Lets ${spec.outside} in (${what}): ${cause}. ${advice}`,
    `Lets ${spec.outside} in: ${cause}. ${advice}`,
    `Lets ${spec.outside} in: ${cause}.`,
    `Lets ${spec.outside} in (${what}). ${advice} The detail names the request that gets through.`,
    `Lets ${spec.outside} in. ${advice}`,
  ];
  const lines = [
    `Bucket ${bucket.name} lets ${spec.outside} in.`,
    result.allActionsEscape
      ? 'Every S3 action on the bucket and its objects escapes.'
      : `Escaping actions: ${listSome(result.escapingActions, 30)}.`,
    ...result.escapes.flatMap((found) => [
      describeCounterexample(found.counterexample),
      ...(found.misses.length > 0
        ? found.misses.map((m) => `  - ${m.text}.`)
        : [
            `  - ${noDeny ? `No Deny statement covers ${spec.outside}.` : 'No Deny statement applies.'}`,
          ]),
    ]),
    ...result.undecided.map(
      (reason) => `Could not decide: ${reason}; counted as letting requests in.`,
    ),
    describeExemptions(exemptions),
    `Fix: ${advice === spec.fix ? spec.fix : `${advice} ${spec.fix}`}`,
  ];
  return {
    verdict: {
      ...nonCompliant(fitAnnotation(...variants)),
      detail: lines.filter((line) => line !== '').join('\n'),
      counterexample: first?.counterexample,
    },
    variants,
  };
};

const compliantVerdict = (
  bucket: Bucket,
  result: FenceResult,
  spec: BucketGuardSpec,
  exemptions: Exemptions,
): Worded => {
  const labels = result.denies.map(statementLabel).join(', ');
  const verb = result.denies.length === 1 ? 'denies' : 'deny';
  const lockOut = result.lockOut
    ? ' It also denies the approved requests: nobody gets in (the account root user can still replace the policy).'
    : '';
  const future = result.explicitActionsOnly
    ? ' The Deny lists actions explicitly; actions AWS adds later are not covered (use s3:*).'
    : '';
  const variants = [
    `Bucket ${bucket.name}: ${labels} ${verb} every S3 request ${spec.describeFence(result)}, except accepted exemptions.${lockOut}${future}`,
    `Bucket ${bucket.name}: every S3 request ${spec.describeFence(result)} is denied, except accepted exemptions.${lockOut}${future}`,
    `Bucket ${bucket.name}: every S3 request from outside is denied.${lockOut}${future}`,
    `Bucket ${bucket.name}: every S3 request from outside is denied.`,
  ];
  const detail = [
    `Every request to ${bucket.name} and its objects ${spec.describeFence(result)} is denied by ${labels || 'the policy'}.`,
    describeExemptions(exemptions),
    lockOut.trim(),
    future.trim(),
  ]
    .filter((line) => line !== '')
    .join('\n');
  return { verdict: { ...compliant(fitAnnotation(...variants)), detail }, variants };
};

/** The whole evaluation of a bucket-policy fence rule for one bucket. */
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
  const arn = bucketArn(bucket);
  // arn:PARTITION:s3:::name — read without splitting the whole ARN for every bucket.
  const partition = arn.startsWith('arn:') ? arn.slice(4, arn.indexOf(':', 4)) : 'aws';
  const exemptions = resolveExemptions(params.exemptions, partition, bucket.accountId);
  if (source.kind === 'absent') {
    return {
      ...nonCompliant(
        fitAnnotation(
          `Bucket ${bucket.name} has no bucket policy, so ${spec.outside} are not denied. ${spec.fix}`,
        ),
      ),
      detail: `Bucket ${bucket.name} has no bucket policy, so nothing denies ${spec.outside}. ${spec.fix}`,
    };
  }
  // Policies of one text template share one verdict (src/policy/template.ts).
  const context = contextOf(spec, exemptions, partition, bucket.accountId);
  const recalled = templates.recall(context, source.text, bucket.name);
  if (recalled !== undefined) {
    return filled(planned(recalled.worded, recalled.canonical), recalled.renames);
  }
  const facts = { name: bucket.name, arn, partition, account: bucket.accountId };
  let shape: ReturnType<typeof analyseShape>;
  try {
    shape = analyseShape(source.text, facts, spec.fence, exemptions);
  } catch (error) {
    if (!(error instanceof PolicyParseError)) throw error;
    const text = `The bucket policy of ${bucket.name} cannot be analysed (${error.message}), so it cannot be shown to deny ${spec.outside}.`;
    return {
      ...nonCompliant(
        fitAnnotation(
          text,
          `The bucket policy of ${bucket.name} cannot be analysed (${error.message}).`,
        ),
      ),
      detail: text,
    };
  }
  const word = (named: Bucket, result: FenceResult): Worded =>
    result.compliant
      ? compliantVerdict(named, result, spec, exemptions)
      : nonCompliantVerdict(named, result, spec, exemptions);
  if (shape.renames.length === 0) return word(bucket, shape.result).verdict;
  // Buckets of one template share the shape: word its verdict once, then put the names in.
  // The shape leaves the Allow statements out; a verdict without a Deny names them.
  const allowLabels =
    shape.result.denies.length === 0 ? shape.result.allows.map(statementLabel) : [];
  const key = `${spec.outside}\n${shape.key}\n${allowLabels.join('\n')}`;
  let worded = verdicts.get(key);
  if (worded === undefined) {
    worded = word({ ...bucket, name: shape.name }, shape.result);
    verdicts.set(key, worded);
  }
  // A verdict that names no Deny names the Allows, which templates leave out: not remembered.
  if (shape.renaming !== undefined && shape.result.denies.length > 0) {
    templates.remember(
      context,
      source.text,
      bucket.name,
      shape.originals.length,
      shape.renaming,
      worded,
    );
  }
  return renamed(worded, shape.renames);
};

const verdicts = new LruCache<string, Worded>(5_000);

// The text a template's key starts with: the rule, the bucket's partition and account, the fence
// and the exemptions. Specs and resolved exemptions are shared objects, so it is written once per
// rule and account.
const contexts = new WeakMap<BucketGuardSpec, WeakMap<Exemptions, Map<string, string>>>();

const contextOf = (
  spec: BucketGuardSpec,
  exemptions: Exemptions,
  partition: string,
  account: string | undefined,
): string => {
  let bySpec = contexts.get(spec);
  if (bySpec === undefined) {
    bySpec = new WeakMap();
    contexts.set(spec, bySpec);
  }
  let byAccount = bySpec.get(exemptions);
  if (byAccount === undefined) {
    byAccount = new Map();
    bySpec.set(exemptions, byAccount);
  }
  const where = accountKey(partition, account);
  let context = byAccount.get(where);
  if (context === undefined) {
    context = JSON.stringify([spec.outside, partition, account ?? null, spec.fence, exemptions]);
    byAccount.set(where, context);
  }
  return context;
};
const templates = new TemplateCache<Worded>();

/**
 * What the live view calls to read buckets: the Config-first path (recorder status, discovered
 * buckets, 100 items a batch) and the S3 fallback (list with regions, policy, and tags when a rule
 * is scoped by tag; a region ListBuckets leaves out comes from the policy read's answer). Checked
 * against the calls really made by test/integration/least-privilege.test.ts.
 */
const BUCKET_READ_ACTIONS = [
  'config:DescribeConfigurationRecorderStatus',
  'config:ListDiscoveredResources',
  'config:BatchGetResourceConfig',
  's3:ListAllMyBuckets',
  's3:GetBucketPolicy',
  's3:GetBucketTagging',
] as const;

export type { BucketGuardParams, BucketGuardSpec };
export { BUCKET_READ_ACTIONS, evaluateBucketGuard };
