import type { MatchSet, PrincipalValue, Statement } from './document.js';
import { wildcardCovers, wildcardMatch, wildcardOverlaps } from './wildcard.js';

/**
 * Questions about what a statement applies to: its principals, and its actions and resources as
 * sets (with wildcards on both sides). Deliberately no request evaluator here: the tests judge the
 * rules with their own, independent one, so a bug shared with the analyser cannot hide.
 */

const ACTION_CASE = { ignoreCase: true } as const;
const RESOURCE_CASE = { ignoreCase: false } as const;

type Dimension = 'action' | 'resource';

const caseOf = (dimension: Dimension) => (dimension === 'action' ? ACTION_CASE : RESOURCE_CASE);

/** Whether a statement applies to every principal, anonymous callers included. */
const appliesToEveryone = (statement: Statement): boolean =>
  statement.principal.kind === 'everyone';

/** The 12-digit account of an AWS principal (`111122223333`, `arn:aws:iam::111122223333:root`, ...). */
const principalAccount = (principal: PrincipalValue): string | undefined => {
  if (principal.type !== 'AWS') return undefined;
  if (/^\d{12}$/.test(principal.value)) return principal.value;
  const match = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal.value);
  return match?.[1];
};

/** Whether the set matches one concrete value (an action name or a resource ARN). */
const matchSetMatches = (set: MatchSet, value: string, dimension: Dimension): boolean => {
  const hit = set.patterns.some((pattern) => wildcardMatch(pattern, value, caseOf(dimension)));
  return set.kind === 'only' ? hit : !hit;
};

/**
 * Whether the set contains every value `target` (itself a pattern, e.g. `s3:*` or
 * `arn:aws:s3:::bucket/*`) can match. `Action: s3:Get*` does not cover `s3:*`; `NotAction:
 * s3:GetObject` does not either, because GetObject escapes; `NotResource: arn:aws:s3:::other/*`
 * covers `arn:aws:s3:::bucket/*`.
 */
const matchSetCovers = (set: MatchSet, target: string, dimension: Dimension): boolean =>
  set.kind === 'only'
    ? set.patterns.some((pattern) => wildcardCovers(pattern, target, caseOf(dimension)))
    : !set.patterns.some((pattern) => wildcardOverlaps(pattern, target, caseOf(dimension)));

/** Whether the set shares at least one value with `target`. */
const matchSetOverlaps = (set: MatchSet, target: string, dimension: Dimension): boolean =>
  set.kind === 'only'
    ? set.patterns.some((pattern) => wildcardOverlaps(pattern, target, caseOf(dimension)))
    : !set.patterns.some((pattern) => wildcardCovers(pattern, target, caseOf(dimension)));

/**
 * What part of `target` a union of sets leaves out, as patterns ([] when the union covers it).
 * Sets are `Action`/`NotAction` lists of several statements (split statements count together):
 * the values escaping are those inside every `NotAction` list and outside every `Action` list.
 * Sound: a value reported covered is covered; an exotic union may be reported as leaving out its
 * `NotAction` patterns even when other statements happen to cover them piece by piece.
 */
const uncoveredBy = (sets: readonly MatchSet[], target: string, dimension: Dimension): string[] => {
  const options = caseOf(dimension);
  const includes = sets.filter((set) => set.kind === 'only').flatMap((set) => set.patterns);
  const excludes = sets.filter((set) => set.kind === 'except');
  const covered = (pattern: string): boolean =>
    includes.some((include) => wildcardCovers(include, pattern, options));
  if (covered(target)) return [];
  const [first, ...others] = excludes;
  // Without NotAction lists, what escapes is the target minus the listed patterns: name the target.
  if (!first) return [target];
  // Only values excluded by the first NotAction list can escape; test each of its patterns.
  return first.patterns.filter(
    (pattern) =>
      wildcardOverlaps(pattern, target, options) &&
      !covered(pattern) &&
      others.every((set) =>
        set.patterns.some((other) => wildcardOverlaps(other, pattern, options)),
      ),
  );
};

export type { Dimension };
export {
  appliesToEveryone,
  matchSetCovers,
  matchSetMatches,
  matchSetOverlaps,
  principalAccount,
  uncoveredBy,
};
