import { PolicyParseError } from '../errors.js';
import type { Counterexample, Verdict } from '../model/compliance.js';
import { compliant, nonCompliant, notApplicable, unverifiable } from '../model/compliance.js';
import type { Bucket } from '../model/resources.js';
import { analyseShape } from '../policy/cache.js';
import type { Miss } from '../policy/containment.js';
import { statementLabel } from '../policy/document.js';
import { describeExemptions, resolveExemptions } from '../policy/exemptions.js';
import {
  ANNOTATION_LIMIT,
  describeCounterexample,
  fitAnnotation,
  listSome,
} from '../policy/explain.js';
import type { Exemptions, Fence, FenceResult } from '../policy/fence.js';
import type { Rename } from '../policy/identifiers.js';
import { LruCache } from '../policy/lru.js';
import {
  fill,
  filledLength,
  mentionsPlaceholder,
  placeholderSet,
  planText,
  restoreText,
  type TextPlan,
} from '../policy/restore.js';
import { TemplateCache } from '../policy/template.js';
import { type BucketScope, bucketArn, bucketScopeOf } from './bucket-scope.js';

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

/** A verdict, with the annotations it was fitted from (longest first). */
interface Worded {
  verdict: Verdict;
  variants: readonly string[];
}

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
      shape.originals.map((s) => s.effect),
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
  const where = account === undefined ? partition : `${partition}:${account}`;
  let context = byAccount.get(where);
  if (context === undefined) {
    context = JSON.stringify([spec.outside, partition, account ?? null, spec.fence, exemptions]);
    byAccount.set(where, context);
  }
  return context;
};
const templates = new TemplateCache<Worded>();

/** The parts of a shared counterexample that hold a placeholder: top-level fields, context keys. */
interface RestorePlan {
  fields: readonly ('principal' | 'action' | 'resource')[];
  context: readonly string[];
}

// A shared verdict's counterexample holds placeholders in the same places for every policy that
// takes it with the same placeholders: find them once per set, then copy the rest as it is. (One
// verdict serves policies renamed differently: a policy that spells a placeholder id is judged
// as written and shares the shape of one whose id was renamed to it.)
const plans = new WeakMap<Counterexample, WeakMap<object, RestorePlan>>();

const holdsPlaceholder = (value: unknown, renames: readonly Rename[]): boolean =>
  typeof value === 'string'
    ? mentionsPlaceholder(value, renames)
    : Array.isArray(value) && value.some((item) => holdsPlaceholder(item, renames));

const restorePlanOf = (example: Counterexample, renames: readonly Rename[]): RestorePlan => {
  let bySet = plans.get(example);
  if (bySet === undefined) {
    bySet = new WeakMap();
    plans.set(example, bySet);
  }
  const set = placeholderSet(renames);
  let plan = bySet.get(set);
  if (plan === undefined) {
    plan = {
      fields: (['principal', 'action', 'resource'] as const).filter((field) =>
        holdsPlaceholder(example[field], renames),
      ),
      context: Object.keys(example.context).filter((key) =>
        holdsPlaceholder(example.context[key], renames),
      ),
    };
    bySet.set(set, plan);
  }
  return plan;
};

const restoreCounterexample = (
  example: Counterexample,
  renames: readonly Rename[],
): Counterexample => {
  const plan = restorePlanOf(example, renames);
  if (plan.fields.length === 0 && plan.context.length === 0) return example;
  const restored: Counterexample = { ...example, context: { ...example.context } };
  for (const field of plan.fields) restored[field] = restoreText(example[field], renames);
  for (const key of plan.context) {
    const value = example.context[key];
    if (typeof value === 'string') restored.context[key] = restoreText(value, renames);
    else if (Array.isArray(value)) {
      restored.context[key] = value.map((item: string) => restoreText(item, renames));
    }
  }
  return restored;
};

/**
 * The shared verdict with this policy's names: the annotation is fitted again from its variants,
 * because the real names may be longer than the placeholders the verdict was fitted with.
 */
const renamed = ({ verdict, variants }: Worded, renames: readonly Rename[]): Verdict => {
  let annotation: string | undefined;
  for (const variant of variants) {
    const text = restoreText(variant, renames);
    if (text.length <= ANNOTATION_LIMIT) {
      annotation = text;
      break;
    }
  }
  return {
    ...verdict,
    annotation:
      annotation ?? fitAnnotation(restoreText(variants.at(-1) ?? verdict.annotation, renames)),
    detail: verdict.detail === undefined ? undefined : restoreText(verdict.detail, renames),
    counterexample:
      verdict.counterexample === undefined
        ? undefined
        : restoreCounterexample(verdict.counterexample, renames),
  };
};

/** A shared verdict cut at its placeholders once, for every policy of a template (restore.ts). */
interface Planned {
  worded: Worded;
  variants: readonly TextPlan[];
  /** The last resort when no variant fits once filled: cut to fit. */
  last: TextPlan;
  detail: TextPlan | undefined;
  counterexample:
    | {
        example: Counterexample;
        fields: readonly ['principal' | 'action' | 'resource', TextPlan][];
        context: readonly [string, TextPlan | TextPlan[]][];
      }
    | undefined;
}

// Keyed by a template's first renames: one template, one verdict, one set of placeholders.
const plannedByTemplate = new WeakMap<readonly Rename[], Planned>();

const planned = (worded: Worded, canonical: readonly Rename[]): Planned => {
  const known = plannedByTemplate.get(canonical);
  if (known !== undefined && known.worded === worded) return known;
  const { verdict, variants } = worded;
  const example = verdict.counterexample;
  let counterexample: Planned['counterexample'];
  if (example !== undefined) {
    const plan = restorePlanOf(example, canonical);
    counterexample = {
      example,
      fields: plan.fields.map((field) => [field, planText(example[field], canonical)]),
      context: plan.context.map((key) => {
        const value = example.context[key];
        return [
          key,
          Array.isArray(value)
            ? value.map((item: string) => planText(item, canonical))
            : planText(String(value), canonical),
        ];
      }),
    };
  }
  const made: Planned = {
    worded,
    variants: variants.map((variant) => planText(variant, canonical)),
    last: planText(variants.at(-1) ?? verdict.annotation, canonical),
    detail: verdict.detail === undefined ? undefined : planText(verdict.detail, canonical),
    counterexample,
  };
  plannedByTemplate.set(canonical, made);
  return made;
};

/** `renamed`, by joining planned pieces: the same texts, without searching them. */
const filled = (plans: Planned, renames: readonly Rename[]): Verdict => {
  const originals = renames.map((rename) => rename.original);
  let annotation: string | undefined;
  for (const plan of plans.variants) {
    if (filledLength(plan, originals) <= ANNOTATION_LIMIT) {
      annotation = fill(plan, originals);
      break;
    }
  }
  let counterexample: Counterexample | undefined;
  const planned = plans.counterexample;
  if (planned !== undefined) {
    counterexample = planned.example;
    if (planned.fields.length > 0 || planned.context.length > 0) {
      const context = { ...planned.example.context };
      counterexample = { ...planned.example, context };
      for (const [field, plan] of planned.fields) counterexample[field] = fill(plan, originals);
      for (const [key, plan] of planned.context) {
        context[key] = Array.isArray(plan)
          ? plan.map((item) => fill(item, originals))
          : fill(plan, originals);
      }
    }
  }
  const { verdict } = plans.worded;
  const restored: Verdict = {
    compliance: verdict.compliance,
    annotation: annotation ?? fitAnnotation(fill(plans.last, originals)),
    detail: plans.detail === undefined ? undefined : fill(plans.detail, originals),
    counterexample,
  };
  if (verdict.unverifiable !== undefined) restored.unverifiable = verdict.unverifiable;
  return restored;
};

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
