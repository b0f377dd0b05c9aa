import { compile, literalHead, matches, type Pattern, startsLike } from './automata.js';
import { keyFacts } from './keys.js';
import { LruCache } from './lru.js';

/**
 * The checks behind identifier renaming (identifiers.ts) and the text templates (template.ts):
 * whether an identifier and its placeholder compare alike with every string the analysis holds,
 * keep the form their condition key needs, and sit inside no other identifier.
 */

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const IAM_NAME_ARN =
  /^(arn:[a-z-]+:iam::\d{12}:(?:role|user)\/(?:[A-Za-z0-9+=,.@_-]+\/)*)([A-Za-z0-9+=,.@_-]+)$/;
const WILDCARD = /[*?]/;

const lower = (text: string): string => text.toLowerCase();

/** A candidate identifier and where it sits: a condition value's key, or the principal. */
interface Candidate {
  original: string;
  placeholder: string;
  /** The part of `original` the placeholder changes, and what it changes it to. */
  body: string;
  replacement: string;
  kind: 'value' | 'name';
  key: string;
  foldedBody: string;
  foldedReplacement: string;
}

/**
 * Strings of the analysis, prepared for the checks: literals lower-cased and joined (an
 * identifier sits inside one when the joined text holds it: no identifier holds the separator),
 * and every pattern in its glob and ARN readings, with and without case.
 */
interface Surroundings {
  /** The literals, and the patterns' own texts: an identifier inside a pattern stays as written. */
  literals: string;
  patterns: readonly Pattern[];
  /** Some string holds a policy variable: values may then be compared with request data. */
  variables: boolean;
}

const SEPARATOR = '\u0000';

// Patterns repeat across policies and contexts: compile each text's four readings once.
const readingsCache = new LruCache<string, Pattern[]>(20_000);

const readings = (text: string): Pattern[] => {
  let found = readingsCache.get(text);
  if (found === undefined) {
    found = (['glob', 'arn'] as const).flatMap((mode) =>
      [false, true].flatMap((ignoreCase) => compile(text, mode, ignoreCase) ?? []),
    );
    readingsCache.set(text, found);
  }
  return found;
};

const surroundingsOf = (texts: readonly string[]): Surroundings => {
  const literals: string[] = [];
  const patterns: Pattern[] = [];
  for (const text of texts) {
    if (WILDCARD.test(text)) patterns.push(...readings(text));
    literals.push(text);
  }
  return {
    literals: lower(literals.join(SEPARATOR)),
    patterns,
    variables: texts.some((text) => text.includes('${')),
  };
};

/**
 * How many of the (lower-case) strings hold the candidate's body or replacement; among the
 * candidates' own strings, itself counts two (its original and its placeholder).
 */
const holders = (candidate: Candidate, folded: readonly string[]): number => {
  let count = 0;
  for (const text of folded) {
    if (text.includes(candidate.foldedBody) || text.includes(candidate.foldedReplacement)) count++;
  }
  return count;
};

/**
 * Whether the original and its placeholder compare alike with the strings: neither sits inside a
 * literal (nor equals it, with or without case), and every pattern matches both or neither.
 * `placeholder` is what the placeholder meets there, `heads` the patterns' literal starts.
 */
const alike = (
  candidate: Candidate,
  around: Surroundings,
  placeholder: PlaceholderFacts,
  heads: readonly string[],
): boolean => {
  if (placeholder.held || around.literals.includes(candidate.foldedBody)) return false;
  const { original } = candidate;
  for (let index = 0; index < around.patterns.length; index++) {
    const pattern = around.patterns[index] as Pattern;
    const matched =
      startsLike(heads[index] as string, pattern.ignoreCase, original) &&
      matches(pattern, original);
    if (matched !== placeholder.matches[index]) return false;
  }
  return true;
};

/** `alike`, with what the placeholder meets looked up. */
const alikeIn = (candidate: Candidate, around: Surroundings): boolean =>
  alike(candidate, around, placeholderFacts(around, candidate), headsOf(around));

/** What a placeholder meets in the strings: whether a literal holds it, and each pattern's answer. */
interface PlaceholderFacts {
  held: boolean;
  matches: boolean[];
}

// Placeholders repeat across the policies of a template: look each up in the strings once. The
// replacement a candidate carries is a function of its placeholder (the digits after the last
// `-`, or the ARN's name), so the placeholder alone keys both facts.
const placeholderMatchCache = new WeakMap<Surroundings, LruCache<string, PlaceholderFacts>>();

const placeholderFacts = (around: Surroundings, candidate: Candidate): PlaceholderFacts => {
  let byPlaceholder = placeholderMatchCache.get(around);
  if (byPlaceholder === undefined) {
    byPlaceholder = new LruCache(1_000);
    placeholderMatchCache.set(around, byPlaceholder);
  }
  let found = byPlaceholder.get(candidate.placeholder);
  if (found === undefined) {
    found = {
      held: around.literals.includes(candidate.foldedReplacement),
      matches: around.patterns.map((pattern) => matches(pattern, candidate.placeholder)),
    };
    byPlaceholder.set(candidate.placeholder, found);
  }
  return found;
};

// Each original meets every pattern: a look at the pattern's literal start turns most away.
const headCache = new WeakMap<Surroundings, string[]>();

const headsOf = (around: Surroundings): string[] => {
  let heads = headCache.get(around);
  if (heads === undefined) {
    heads = around.patterns.map(literalHead);
    headCache.set(around, heads);
  }
  return heads;
};

/** The key's own facts: its form, and lower case where AWS issues only that, survive the rename. */
const keepsForm = (candidate: Candidate): boolean => {
  if (candidate.kind !== 'value') return true;
  const { original, placeholder } = candidate;
  const facts = keyFacts(candidate.key);
  if (facts?.lowercase && (original === lower(original)) !== (placeholder === lower(placeholder))) {
    return false;
  }
  return (
    facts?.format === undefined || facts.format.test(original) === facts.format.test(placeholder)
  );
};

/**
 * Whether another policy's identifiers may take the placeholders one policy of the same text
 * template was given (template.ts): each has the form its placeholder needs, compares alike with
 * the same strings, and none sits inside another. Prepared once per template: `renamed` pairs
 * each placeholder (of a value, or a role or user ARN) with, for a value, its condition key; the
 * returned check takes the originals in that order. What each placeholder meets is looked up on
 * the first call (it depends on the placeholder alone).
 */
const prepareRenamesHold = (
  renamed: readonly { placeholder: string; key: string | undefined }[],
  context: Surroundings,
  own: Surroundings,
): ((originals: readonly string[]) => boolean) => {
  const contextHeads = headsOf(context);
  const ownHeads = headsOf(own);
  const met: { context: PlaceholderFacts; own: PlaceholderFacts }[] = [];
  return (originals) => {
    const candidates: Candidate[] = [];
    for (let index = 0; index < renamed.length; index++) {
      const { placeholder, key } = renamed[index] as (typeof renamed)[number];
      const original = originals[index] as string;
      const candidate =
        key === undefined ? nameFor(original, placeholder) : valueFor(original, placeholder, key);
      if (candidate === undefined || !keepsForm(candidate)) return false;
      let facts = met[index];
      if (facts === undefined) {
        facts = {
          context: placeholderFacts(context, candidate),
          own: placeholderFacts(own, candidate),
        };
        met[index] = facts;
      }
      if (
        !alike(candidate, context, facts.context, contextHeads) ||
        !alike(candidate, own, facts.own, ownHeads)
      ) {
        return false;
      }
      candidates.push(candidate);
    }
    // A lone candidate's own two strings are the only peers, and they hold it exactly twice.
    if (candidates.length < 2) return true;
    const peers = candidates.flatMap((c) => [lower(c.original), lower(c.placeholder)]);
    return candidates.every((candidate) => holders(candidate, peers) === 2);
  };
};

/** The candidate `valueCandidate` makes of a value when it gives it this placeholder. */
const valueFor = (value: string, placeholder: string, key: string): Candidate | undefined => {
  if (!IDENTIFIER.test(value)) return undefined;
  const cut = value.lastIndexOf('-') + 1;
  if (placeholder.length !== value.length || placeholder.slice(0, cut) !== value.slice(0, cut)) {
    return undefined;
  }
  const body = value.slice(cut);
  const replacement = placeholder.slice(cut);
  if (body.length < 4 || !/^1\d+$/.test(replacement)) return undefined;
  return {
    original: value,
    placeholder,
    body,
    replacement,
    kind: 'value',
    key,
    foldedBody: lower(body),
    foldedReplacement: replacement,
  };
};

/** The candidate `nameCandidate` makes of a role or user ARN when it gives it this placeholder. */
const nameFor = (arn: string, placeholder: string): Candidate | undefined => {
  const parsed = IAM_NAME_ARN.exec(arn);
  const target = IAM_NAME_ARN.exec(placeholder);
  if (!parsed?.[1] || !parsed[2] || !target?.[2] || target[1] !== parsed[1]) return undefined;
  return {
    original: arn,
    placeholder,
    body: parsed[2],
    replacement: target[2],
    kind: 'name',
    key: 'principal',
    foldedBody: lower(parsed[2]),
    foldedReplacement: lower(target[2]),
  };
};

export type { Candidate, Surroundings };
export {
  alikeIn,
  holders,
  IAM_NAME_ARN,
  keepsForm,
  lower,
  nameFor,
  prepareRenamesHold,
  surroundingsOf,
  valueFor,
  WILDCARD,
};
