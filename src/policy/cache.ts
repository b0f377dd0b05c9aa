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

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The policy text with the bucket abstracted, or `undefined` when that could change the answer. */
const abstractText = (text: string, name: string): string | undefined => {
  const own = new RegExp(`(arn:[^:"]*:s3:::)${escapeRegExp(name)}(?=[/"])`, 'g');
  const abstracted = text.replace(own, `$1${PLACEHOLDER}`);
  return /s3:::[^"/]*[*?]/.test(abstracted) ? undefined : abstracted;
};

const restore = (result: FenceResult, name: string): FenceResult =>
  JSON.parse(JSON.stringify(result).replaceAll(PLACEHOLDER, name)) as FenceResult;

/** `analyseFence` on a policy text, through the shape cache. */
const analyseFenceCached = (
  text: string,
  bucket: BucketFacts,
  fence: Fence,
  exemptions: Exemptions,
): FenceResult => {
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
  return name === PLACEHOLDER ? restore(result, bucket.name) : result;
};

export { abstractText, analyseFenceCached, PLACEHOLDER };
