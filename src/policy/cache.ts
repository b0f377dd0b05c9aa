import { type PolicyDocument, parsePolicy, type Statement } from './document.js';
import {
  analyseFence,
  type BucketFacts,
  type Exemptions,
  type Fence,
  type FenceResult,
  fenceStrings,
} from './fence.js';
import { type Surroundings, surroundingsOf } from './identifier-checks.js';
import {
  type Abstraction,
  abstractIdentifiers,
  namesOriginal,
  type Rename,
  restorable,
} from './identifiers.js';
import { LruCache } from './lru.js';
import { placeholderSet, restoreText } from './restore.js';

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

// A star alone or before a slash takes the whole bucket name, so the rest reads only the key.
const STAR_THEN_PATH = /^\*(\/|$)/;

/**
 * A resource pattern with the bucket abstracted, the pattern itself when it matches alike for
 * every bucket name, or `undefined` when its answer may depend on the name (`logs-*`, `?_*`).
 * Another bucket named literally matches neither this bucket nor the placeholder whatever it is
 * called (no bucket name holds a `/` or an underscore), so it gets a placeholder of its own.
 */
const abstractPattern = (
  pattern: string,
  name: string,
  partition: string,
  others: Map<string, string>,
): string | undefined => {
  const head = /^arn:[^:*?$]*:s3:::/.exec(pattern)?.[0];
  if (head !== undefined) {
    const rest = pattern.slice(head.length);
    // The literal head fixes where the name sits, so renaming it renames the matched bucket.
    if (rest === name || rest.startsWith(`${name}/`)) {
      return `${head}${PLACEHOLDER}${rest.slice(name.length)}`;
    }
    if (STAR_THEN_PATH.test(rest)) return pattern;
    const other = rest.split('/')[0] ?? '';
    if (other !== '' && other !== name && !/[*?$_]/.test(other)) {
      let placeholder = others.get(other);
      if (placeholder === undefined) {
        placeholder = `__vg_bucket${others.size + 1}__`;
        others.set(other, placeholder);
      }
      return `${head}${placeholder}${rest.slice(other.length)}`;
    }
  }
  if (STAR_THEN_PATH.test(pattern)) return pattern;
  // A literal start that leaves `arn:<partition>:s3:::` matches neither this bucket nor the
  // placeholder (both ARNs start so).
  const target = `arn:${partition}:s3:::`;
  const literal = /^[^*?$]*/.exec(pattern)?.[0] ?? '';
  const shared = Math.min(literal.length, target.length);
  return literal.slice(0, shared) === target.slice(0, shared) ? undefined : pattern;
};

/**
 * The policy with the bucket (and other buckets named literally) abstracted, with the renames
 * that put the names back, or `undefined` when that could change the answer.
 */
const abstractPolicy = (
  policy: PolicyDocument,
  name: string,
  partition: string,
): { policy: PolicyDocument; renames: Rename[] } | undefined => {
  const others = new Map<string, string>();
  const statements: Statement[] = [];
  for (const statement of policy.statements) {
    const patterns: string[] = [];
    for (const pattern of statement.resources.patterns) {
      const abstracted = abstractPattern(pattern, name, partition, others);
      if (abstracted === undefined) return undefined;
      patterns.push(abstracted);
    }
    statements.push({ ...statement, resources: { ...statement.resources, patterns } });
  }
  return {
    policy: { ...policy, statements },
    renames: [
      { placeholder: PLACEHOLDER, original: name, kind: 'plain' },
      ...[...others].map(
        ([original, placeholder]): Rename => ({ placeholder, original, kind: 'plain' }),
      ),
    ],
  };
};

/** Whether text spells one of the placeholders (`__vg_…`, `__vpce_guard_bucket__`). */
const spellsPlaceholder = (text: string): boolean =>
  text.includes('__vg_') || text.includes('__vpce_guard');

// Fences and exemptions are shared objects across a scan: look at each once.
const placeholderSpellers = new WeakMap<object, boolean>();

const spellsPlaceholderIn = (value: object): boolean => {
  let found = placeholderSpellers.get(value);
  if (found === undefined) {
    found = spellsPlaceholder(JSON.stringify(value));
    placeholderSpellers.set(value, found);
  }
  return found;
};

/** A cached analysis and what tells whether it may stand for another policy of its shape. */
interface Entry {
  result: FenceResult;
  /** The string values of its counterexamples. */
  values: readonly string[];
  /**
   * Per set of placeholders (restore.ts `placeholderSet`): every value of its counterexamples
   * can be put back by text (identifiers.ts `restorable`). Asked of the renames of the policy
   * that takes the entry, not of the one that made it: a policy judged as written makes entries a
   * renamed one may meet.
   */
  shareable: WeakMap<object, boolean>;
  /** Its escapes and undecided reasons, lower case: a real identifier must not occur there. */
  folded: string;
}

const cache = new LruCache<string, Entry>(CACHE_LIMIT);

const leaves = (value: unknown, into: string[]): string[] => {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) leaves(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) leaves(item, into);
  }
  return into;
};

const entryOf = (result: FenceResult): Entry => ({
  result,
  values: leaves(
    result.escapes.map((e) => e.counterexample),
    [],
  ),
  shareable: new WeakMap(),
  folded: JSON.stringify([result.escapes, result.undecided]).toLowerCase(),
});

/** Whether the entry's result can be put back by text with these renames. */
const shareableWith = (entry: Entry, renames: readonly Rename[]): boolean => {
  if (renames.length === 0) return true;
  const set = placeholderSet(renames);
  let shareable = entry.shareable.get(set);
  if (shareable === undefined) {
    shareable = restorable(entry.values, renames);
    entry.shareable.set(set, shareable);
  }
  return shareable;
};

/**
 * Puts the real names back where a result shows them: counterexamples, their reasons and the
 * statements (by position: the renamed policy keeps the order of `originals`).
 */
const restore = (
  result: FenceResult,
  renames: readonly Rename[],
  originals: readonly Statement[],
): FenceResult => {
  if (renames.length === 0) return result;
  const original = (statement: Statement): Statement => originals[statement.index] ?? statement;
  return {
    ...result,
    denies: result.denies.map(original),
    allows: result.allows.map(original),
    escapes: result.escapes.map((found) => ({
      counterexample: JSON.parse(
        restoreText(JSON.stringify(found.counterexample), renames),
      ) as typeof found.counterexample,
      misses: found.misses.map((miss) => ({
        ...miss,
        statement: original(miss.statement),
        entry:
          miss.entry &&
          (original(miss.statement).conditions[miss.statement.conditions.indexOf(miss.entry)] ??
            miss.entry),
        text: restoreText(miss.text, renames),
      })),
    })),
    undecided: result.undecided.map((text) => restoreText(text, renames)),
  };
};

interface Shape {
  /** The analysis of the renamed policy: put `renames` back into what it shows. */
  result: FenceResult;
  renames: Rename[];
  /** The statements of the policy as written, in order (with the bucket abstracted). */
  originals: readonly Statement[];
  /** The name the result uses for the bucket: the placeholder, or the bucket's own. */
  name: string;
  /** Identifies the shape, for callers that cache what they derive from the result. */
  key: string;
  /** Set when the identifiers were renamed: what a text template needs (template.ts). */
  renaming?: Renaming;
}

interface Renaming {
  ids: Abstraction;
  /** The id of the bucket/fence/exemptions context, and its strings. */
  context: { id: string; around: Surroundings };
  /** The shared result's escapes and reasons, lower case (a real identifier must not occur). */
  folded: string;
  bucketAbstracted: boolean;
  /** The bucket's and other buckets' placeholders (abstractPolicy). */
  bucketRenames: readonly Rename[];
}

/**
 * What every policy judged for one bucket name (or the placeholder), fence and exemptions shares:
 * the strings identifiers must compare alike with, and a short id standing for all of it in keys.
 */
interface Context {
  id: string;
  around: Surroundings;
}

const contexts = new LruCache<string, Context>(1_000);

const contextOf = (bucket: BucketFacts, fence: Fence, exemptions: Exemptions): Context => {
  const content = JSON.stringify([
    bucket.name,
    bucket.partition,
    bucket.account ?? null,
    fence,
    exemptions,
  ]);
  let context = contexts.get(content);
  if (context === undefined) {
    context = { id: content, around: surroundingsOf(fenceStrings(bucket, fence, exemptions)) };
    contexts.set(content, context);
  }
  return context;
};

const lookup = (
  policy: PolicyDocument,
  bucket: BucketFacts,
  fence: Fence,
  exemptions: Exemptions,
  context: Context,
): { entry: Entry; key: string } => {
  const key = `${context.id}${policy.version ?? ''}\u0000${JSON.stringify(policy.statements)}`;
  let entry = cache.get(key);
  if (entry === undefined) {
    entry = entryOf(analyseFence(policy, bucket, fence, exemptions));
    cache.set(key, entry);
  }
  return { entry, key };
};

/**
 * `analyseFence` on a policy text, through the shape cache: the bucket's ARNs and the policy's
 * identifiers renamed where that cannot change the answer (identifiers.ts), so every policy written
 * from one template costs one analysis.
 */
const analyseShape = (
  text: string,
  bucket: BucketFacts,
  fence: Fence,
  exemptions: Exemptions,
): Shape => {
  const policy = parsePolicy(text);
  // Allow statements never keep a request out (fence.ts): the shape is the Deny statements, each
  // keeping its position for its label; the Allows are the policy's own.
  const denies: PolicyDocument = {
    ...policy,
    statements: policy.statements.filter((s) => s.effect === 'Deny'),
  };
  const allows = policy.statements.filter((s) => s.effect === 'Allow');
  // Text that spells a placeholder (in the policy, Allows included, in the fence or the
  // exemptions, which the wording shows, or the bucket's own name) would get it put back as a
  // name: nothing is renamed then.
  const reserved =
    spellsPlaceholder(bucket.name) ||
    spellsPlaceholder(text) ||
    (text.includes('\\') && spellsPlaceholder(JSON.stringify(policy.statements))) ||
    spellsPlaceholderIn(fence) ||
    spellsPlaceholderIn(exemptions);
  const abstracted = reserved ? undefined : abstractPolicy(denies, bucket.name, bucket.partition);
  const name = abstracted === undefined ? bucket.name : PLACEHOLDER;
  const base = abstracted?.policy ?? denies;
  const bucketRename = abstracted?.renames ?? [];
  const named = { ...bucket, name, arn: `arn:${bucket.partition}:s3:::${name}` };
  const context = contextOf(named, fence, exemptions);
  const ids = reserved ? undefined : abstractIdentifiers(base, context.around);
  if (ids !== undefined) {
    const { entry, key } = lookup(ids.policy, named, fence, exemptions, context);
    if (shareableWith(entry, ids.renames) && !namesOriginal(entry.folded, ids.renames)) {
      return {
        result: { ...entry.result, allows },
        renames: [...bucketRename, ...ids.renames],
        originals: policy.statements,
        name,
        key,
        renaming: {
          ids,
          context,
          folded: entry.folded,
          bucketAbstracted: abstracted !== undefined,
          bucketRenames: bucketRename,
        },
      };
    }
  }
  const { entry, key } = lookup(base, named, fence, exemptions, context);
  return {
    result: { ...entry.result, allows },
    renames: bucketRename,
    originals: policy.statements,
    name,
    key,
  };
};

/** `analyseFence` on a policy text, through the shape cache, with the real names. */
const analyseFenceCached = (
  text: string,
  bucket: BucketFacts,
  fence: Fence,
  exemptions: Exemptions,
): FenceResult => {
  const { result, renames, originals } = analyseShape(text, bucket, fence, exemptions);
  return restore(result, renames, originals);
};

export type { Renaming, Shape };
export { abstractPolicy, analyseFenceCached, analyseShape, PLACEHOLDER, spellsPlaceholder };
