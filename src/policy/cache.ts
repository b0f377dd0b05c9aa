import { type PolicyDocument, parsePolicy, type Statement } from './document.js';
import {
  analyseFence,
  type BucketFacts,
  type Exemptions,
  type Fence,
  type FenceResult,
} from './fence.js';
import { LruCache } from './lru.js';

/**
 * Analysis results cached by the policy's shape: the bucket's own ARNs are replaced by a
 * placeholder, so buckets created from one template share an entry. The abstraction works on the
 * parsed document (JSON escapes such as `\/` or `\u002a` are already decoded) and is applied only
 * where it cannot change the answer: the analysis reads the bucket's name only through the
 * Resource/NotResource patterns it matches the bucket and its objects against, so every such
 * pattern must either name the bucket as a whole ARN (rewritten), or match alike whatever the
 * bucket is called. Otherwise the policy is analysed with the bucket's real name.
 */

const PLACEHOLDER = '__vpce_guard_bucket__';
const CACHE_LIMIT = 5_000;

const cache = new LruCache<string, FenceResult>(CACHE_LIMIT);

// A star alone or before a slash takes the whole bucket name, so the rest reads only the key.
const STAR_THEN_PATH = /^\*(\/|$)/;

/**
 * A resource pattern with the bucket abstracted, the pattern itself when it matches alike for
 * every bucket name, or `undefined` when its answer may depend on the name (`logs-*`, `?_*`).
 */
const abstractPattern = (pattern: string, name: string, partition: string): string | undefined => {
  const head = /^arn:[^:*?$]*:s3:::/.exec(pattern)?.[0];
  if (head !== undefined) {
    const rest = pattern.slice(head.length);
    // The literal head fixes where the name sits, so renaming it renames the matched bucket.
    if (rest === name || rest.startsWith(`${name}/`)) {
      return `${head}${PLACEHOLDER}${rest.slice(name.length)}`;
    }
    if (STAR_THEN_PATH.test(rest)) return pattern;
  }
  if (STAR_THEN_PATH.test(pattern)) return pattern;
  // A literal start that leaves `arn:<partition>:s3:::` matches neither this bucket nor the
  // placeholder (both ARNs start so).
  const target = `arn:${partition}:s3:::`;
  const literal = /^[^*?$]*/.exec(pattern)?.[0] ?? '';
  const shared = Math.min(literal.length, target.length);
  return literal.slice(0, shared) === target.slice(0, shared) ? undefined : pattern;
};

/** The policy with the bucket abstracted, or `undefined` when that could change the answer. */
const abstractPolicy = (
  policy: PolicyDocument,
  name: string,
  partition: string,
): PolicyDocument | undefined => {
  const statements: Statement[] = [];
  for (const statement of policy.statements) {
    const patterns: string[] = [];
    for (const pattern of statement.resources.patterns) {
      const abstracted = abstractPattern(pattern, name, partition);
      if (abstracted === undefined) return undefined;
      patterns.push(abstracted);
    }
    statements.push({ ...statement, resources: { ...statement.resources, patterns } });
  }
  return { ...policy, statements };
};

/** Puts the bucket's name back where a result shows it: counterexamples and their reasons. */
const restore = (result: FenceResult, name: string): FenceResult => ({
  ...result,
  escapes: result.escapes.map((found) => ({
    counterexample: JSON.parse(
      JSON.stringify(found.counterexample).replaceAll(PLACEHOLDER, name),
    ) as typeof found.counterexample,
    misses: found.misses.map((miss) => ({
      ...miss,
      text: miss.text.replaceAll(PLACEHOLDER, name),
    })),
  })),
  undecided: result.undecided.map((text) => text.replaceAll(PLACEHOLDER, name)),
});

/**
 * `analyseFence` on a policy text, through the shape cache. `name` is the name the result uses
 * for the bucket: the placeholder when the text was abstracted, else the bucket's own; `key`
 * identifies the shape, for callers that cache what they derive from the result.
 */
const analyseShape = (
  text: string,
  bucket: BucketFacts,
  fence: Fence,
  exemptions: Exemptions,
): { result: FenceResult; name: string; key: string } => {
  const policy = parsePolicy(text);
  const abstracted = abstractPolicy(policy, bucket.name, bucket.partition);
  const name = abstracted === undefined ? bucket.name : PLACEHOLDER;
  const analysed = abstracted ?? policy;
  const key = JSON.stringify([
    analysed.version ?? null,
    analysed.statements,
    name,
    bucket.partition,
    bucket.account ?? null,
    fence,
    exemptions,
  ]);
  let result = cache.get(key);
  if (result === undefined) {
    const arn = `arn:${bucket.partition}:s3:::${name}`;
    result = analyseFence(analysed, { ...bucket, name, arn }, fence, exemptions);
    cache.set(key, result);
  }
  return { result, name, key };
};

/** `analyseFence` on a policy text, through the shape cache, with the bucket's own name. */
const analyseFenceCached = (
  text: string,
  bucket: BucketFacts,
  fence: Fence,
  exemptions: Exemptions,
): FenceResult => {
  const { result, name } = analyseShape(text, bucket, fence, exemptions);
  return name === PLACEHOLDER ? restore(result, bucket.name) : result;
};

export { abstractPolicy, analyseFenceCached, analyseShape, PLACEHOLDER };
