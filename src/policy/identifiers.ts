import type { ConditionEntry, PolicyDocument, PrincipalSet, Statement } from './document.js';
import {
  alikeIn,
  type Candidate,
  holders,
  IAM_NAME_ARN,
  keepsForm,
  lower,
  nameFor,
  type Surroundings,
  surroundingsOf,
  valueFor,
  WILDCARD,
} from './identifier-checks.js';
import { DERIVED_PRINCIPAL_KEYS, keyFacts } from './keys.js';

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

const SID_PREFIX = '__vg_sid';
const NAME_PREFIX = '__vg_name';

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

export type { Abstraction, Rename };
export { abstractIdentifiers, namesOriginal, restorable };
