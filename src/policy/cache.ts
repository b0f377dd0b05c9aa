import { parsePolicy } from './document.js';
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
 * placeholder, so buckets created from one template share an entry. The abstraction is applied
 * only where it cannot change the answer: every occurrence of the bucket as a whole ARN (the
 * bucket, or a path under it) is replaced, and a policy with a wildcard in some bucket name
 * (`arn:aws:s3:::logs-*`) is keyed with its real name, because such a pattern may match one
 * bucket and not another.
 */

const PLACEHOLDER = '__vpce_guard_bucket__';
const CACHE_LIMIT = 5_000;

const cache = new LruCache<string, FenceResult>(CACHE_LIMIT);

/** The policy text with the bucket abstracted, or `undefined` when that could change the answer. */
const abstractText = (text: string, name: string): string | undefined => {
  // The bucket as a whole ARN (any partition): followed by a path or the end of the JSON string.
  let abstracted = text;
  for (const end of ['"', '/']) {
    abstracted = abstracted.split(`:s3:::${name}${end}`).join(`:s3:::${PLACEHOLDER}${end}`);
  }
  for (let at = abstracted.indexOf('s3:::'); at >= 0; at = abstracted.indexOf('s3:::', at + 5)) {
    for (let i = at + 5; i < abstracted.length; i += 1) {
      const char = abstracted[i];
      if (char === '"' || char === '/') break;
      if (char === '*' || char === '?') return undefined;
    }
  }
  return abstracted;
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
  const abstracted = abstractText(text, bucket.name);
  const name = abstracted === undefined ? bucket.name : PLACEHOLDER;
  const key = JSON.stringify([
    abstracted ?? text,
    name,
    bucket.partition,
    bucket.account ?? null,
    fence,
    exemptions,
  ]);
  let result = cache.get(key);
  if (result === undefined) {
    const arn = `arn:${bucket.partition}:s3:::${name}`;
    result = analyseFence(
      parsePolicy(abstracted ?? text),
      { ...bucket, name, arn },
      fence,
      exemptions,
    );
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

export { abstractText, analyseFenceCached, analyseShape, PLACEHOLDER };
