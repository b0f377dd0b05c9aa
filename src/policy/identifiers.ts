import { compile, literalHead, matches, type Pattern, startsLike } from './automata.js';
import type { ConditionEntry, PolicyDocument, PrincipalSet, Statement } from './document.js';
import { DERIVED_PRINCIPAL_KEYS, keyFacts } from './keys.js';
import { LruCache } from './lru.js';

/**
 * Identifier abstraction for the shape cache. Policies written from one template differ in their
 * identifiers — endpoint and VPC ids, role names, Sids — not in their shape, and the containment
 * analysis reads such an identifier only through how it compares with the other strings it meets:
 * equal or not (with or without case), matched or not by each pattern, of the key's form or not.
 * Renaming an identifier to a placeholder that compares exactly alike with every string the
 * analysis holds (the policy's other strings, the fence, the exemptions, the seeds) therefore gives
 * the same classes of requests, so the same verdict, with the placeholder where the identifier was;
 * putting the identifier back gives the answer for the real policy. A rename is made only where
 * that is checked to hold, otherwise the identifier stays.
 *
 * Three kinds of identifier are renamed:
 * - Sids, which only name statements in messages;
 * - literal values of string-typed condition keys that are not read off the principal
 *   (aws:SourceVpce, aws:SourceVpc, aws:VpceAccount, tag values …): the text after the last `-`
 *   becomes digits of the same length, so the key's form (`vpce-` and hex digits, twelve digits)
 *   and its case survive;
 * - the name of a literal IAM role or user ARN in Principal/NotPrincipal or aws:PrincipalArn.
 */

interface Rename {
  placeholder: string;
  original: string;
  /**
   * `token`: a value placeholder made of ordinary characters, put back only where it stands
   * alone (not inside a longer word); `plain`: a placeholder no real text contains.
   */
  kind: 'token' | 'plain';
}

interface Abstraction {
  policy: PolicyDocument;
  renames: Rename[];
  /**
   * For the text templates (template.ts): every candidate was renamed (none refused, no policy
   * variable), the strings the renamed ones were checked against, and each one's condition key.
   */
  complete: boolean;
  own: Surroundings;
  keys: ReadonlyMap<string, string>;
  /** Each renamed role or user ARN, whole, with the placeholder its name took. */
  names: ReadonlyMap<string, string>;
}

const STRING_OPERATORS = new Set([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
]);
const ARN_OPERATORS = new Set(['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike']);

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const IAM_NAME_ARN =
  /^(arn:[a-z-]+:iam::\d{12}:(?:role|user)\/(?:[A-Za-z0-9+=,.@_-]+\/)*)([A-Za-z0-9+=,.@_-]+)$/;
const WILDCARD = /[*?]/;

const lower = (text: string): string => text.toLowerCase();

const SID_PREFIX = '__vg_sid';
const NAME_PREFIX = '__vg_name';

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

const valueCandidate = (value: string, key: string, counter: number): Candidate | undefined => {
  const cut = value.lastIndexOf('-') + 1;
  const length = value.length - cut;
  const digits = String(counter);
  if (digits.length > length - 1) return undefined;
  // A leading 1 keeps one placeholder body from sitting inside another of equal length.
  return valueFor(value, value.slice(0, cut) + `1${digits.padStart(length - 1, '0')}`, key);
};

const nameCandidate = (arn: string, counter: number): Candidate | undefined => {
  const head = IAM_NAME_ARN.exec(arn)?.[1];
  return head === undefined ? undefined : nameFor(arn, `${head}${NAME_PREFIX}${counter}__`);
};

/** Whether an entry's values are identifiers this module may rename. */
const valueKey = (entry: ConditionEntry): boolean => {
  if (entry.base === undefined || !STRING_OPERATORS.has(entry.base)) return false;
  if (DERIVED_PRINCIPAL_KEYS.has(entry.keyLower)) return false;
  return keyFacts(entry.keyLower)?.type === 'string';
};

const principalArnKey = (entry: ConditionEntry): boolean =>
  entry.keyLower === 'aws:principalarn' &&
  entry.base !== undefined &&
  (STRING_OPERATORS.has(entry.base) || ARN_OPERATORS.has(entry.base));

/** Every string of the policy the analysis reads, with the identifiers it may rename marked. */
const collect = (
  policy: PolicyDocument,
): { others: string[]; values: Map<string, string>; names: Set<string> } => {
  const others: string[] = [];
  const values = new Map<string, string>();
  const names = new Set<string>();
  const twoKeys = new Set<string>();
  for (const statement of policy.statements) {
    others.push(...statement.actions.patterns, ...statement.resources.patterns);
    if (statement.principal.kind === 'only' || statement.principal.kind === 'not') {
      for (const p of statement.principal.principals) {
        if (p.type === 'AWS' && IAM_NAME_ARN.test(p.value)) names.add(p.value);
        else others.push(p.value);
      }
    }
    for (const entry of statement.conditions) {
      for (const value of entry.values) {
        if (WILDCARD.test(value) || value.includes('$')) others.push(value);
        else if (valueKey(entry)) {
          const seen = values.get(value);
          // One value under two keys is compared in two dimensions: it stays as written.
          if (seen !== undefined && seen !== entry.keyLower) twoKeys.add(value);
          values.set(value, entry.keyLower);
        } else if (principalArnKey(entry) && IAM_NAME_ARN.test(value)) names.add(value);
        else others.push(value);
      }
    }
  }
  for (const value of twoKeys) {
    values.delete(value);
    others.push(value);
  }
  return { others, values, names };
};

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

const renameSet = (set: PrincipalSet, map: ReadonlyMap<string, string>): PrincipalSet =>
  set.kind === 'only' || set.kind === 'not'
    ? {
        kind: set.kind,
        principals: set.principals.map((p) =>
          p.type === 'AWS' ? { type: p.type, value: map.get(p.value) ?? p.value } : p,
        ),
      }
    : set;

const renameStatement = (
  statement: Statement,
  map: ReadonlyMap<string, string>,
  sids: ReadonlyMap<string, string>,
): Statement => ({
  ...statement,
  sid: statement.sid === undefined ? undefined : (sids.get(statement.sid) ?? statement.sid),
  principal: renameSet(statement.principal, map),
  conditions: statement.conditions.map((entry) =>
    valueKey(entry) || principalArnKey(entry)
      ? { ...entry, values: entry.values.map((value) => map.get(value) ?? value) }
      : entry,
  ),
});

/**
 * The policy with its identifiers renamed where that provably cannot change the analysis, or
 * `undefined` when nothing was renamed. `context` holds every other string the analysis compares
 * with: the fence, the exemptions, the seeds, the bucket's own ARNs.
 */
const abstractIdentifiers = (
  policy: PolicyDocument,
  context: Surroundings,
): Abstraction | undefined => {
  const { others, values, names } = collect(policy);
  const variables = context.variables || others.some((text) => text.includes('${'));
  let counter = 0;
  const candidates: Candidate[] = [];
  if (!variables) {
    for (const [value, key] of values) {
      counter += 1;
      const candidate = valueCandidate(value, key, counter);
      if (candidate) candidates.push(candidate);
      else others.push(value);
    }
    for (const arn of names) {
      counter += 1;
      const candidate = nameCandidate(arn, counter);
      if (candidate) candidates.push(candidate);
      else others.push(arn);
    }
  } else {
    others.push(...values.keys(), ...names);
  }
  // A candidate that fails joins the strings the others must compare alike with: repeat until
  // the accepted set is stable.
  let accepted = candidates.filter(keepsForm);
  const rejected = candidates.filter((c) => !keepsForm(c)).map((c) => c.original);
  const own = surroundingsOf(others);
  for (;;) {
    const refused = surroundingsOf(rejected);
    const peers = accepted.flatMap((c) => [lower(c.original), lower(c.placeholder)]);
    const next = accepted.filter(
      (candidate) =>
        alikeIn(candidate, context) &&
        alikeIn(candidate, own) &&
        alikeIn(candidate, refused) &&
        // Its own original and placeholder are among the peers: one each, nothing else.
        holders(candidate, peers) === 2,
    );
    if (next.length === accepted.length) break;
    rejected.push(
      ...accepted.filter((candidate) => !next.includes(candidate)).map((c) => c.original),
    );
    accepted = next;
  }
  const sids = new Map<string, string>();
  for (const statement of policy.statements) {
    if (statement.sid && !sids.has(statement.sid)) {
      sids.set(statement.sid, `${SID_PREFIX}${sids.size + 1}__`);
    }
  }
  if (accepted.length === 0 && sids.size === 0) return undefined;
  const map = new Map(accepted.map((c) => [c.original, c.placeholder]));
  return {
    complete: !variables && rejected.length === 0,
    own,
    keys: new Map(accepted.filter((c) => c.kind === 'value').map((c) => [c.original, c.key])),
    names: new Map(
      accepted.filter((c) => c.kind === 'name').map((c) => [c.original, c.replacement]),
    ),
    policy: {
      ...policy,
      statements: policy.statements.map((s) => renameStatement(s, map, sids)),
    },
    renames: [
      ...[...sids].map(
        ([original, placeholder]): Rename => ({
          placeholder,
          original,
          kind: 'plain',
        }),
      ),
      ...accepted.map(
        (c): Rename =>
          c.kind === 'value'
            ? { placeholder: c.placeholder, original: c.original, kind: 'token' }
            : { placeholder: c.replacement, original: c.body, kind: 'plain' },
      ),
    ],
  };
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

/**
 * Whether a result of the renamed policy can be put back by text: every value that holds a
 * placeholder is the placeholder itself (or, for a role, its ARN). A value built around one — a
 * session of the renamed role, an id that differs from the placeholder only in case — could
 * compare otherwise with the real identifier, so such a result is not shared.
 */
const restorable = (values: readonly string[], renames: readonly Rename[]): boolean =>
  values.every((value) => {
    const folded = lower(value);
    return renames.every((rename) => {
      if (!folded.includes(lower(rename.placeholder))) return true;
      if (rename.kind === 'token') return value === rename.placeholder;
      if (!rename.placeholder.startsWith(NAME_PREFIX)) return true;
      return value.endsWith(`/${rename.placeholder}`) && IAM_NAME_ARN.test(value);
    });
  });

/** Whether a text of the renamed policy's result names one of the real identifiers by chance. */
const namesOriginal = (foldedText: string, renames: readonly Rename[]): boolean =>
  renames.some(
    (rename) =>
      !rename.placeholder.startsWith(SID_PREFIX) && foldedText.includes(lower(rename.original)),
  );

export type { Abstraction, Rename, Surroundings };
export {
  abstractIdentifiers,
  IAM_NAME_ARN,
  namesOriginal,
  prepareRenamesHold,
  restorable,
  surroundingsOf,
};
