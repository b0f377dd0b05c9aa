import { conditionsMatch, type RequestContext } from './condition.js';
import type { MatchSet, PolicyDocument, PrincipalValue, Statement } from './document.js';
import { wildcardCovers, wildcardMatch, wildcardOverlaps } from './wildcard.js';

/**
 * Questions about what a statement applies to: its principals, its actions and resources as sets
 * (with wildcards on both sides), and a concrete request evaluator that the tests use as the
 * reference for IAM's own decision.
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

interface PrincipalRef {
  /** `AWS` with an ARN and account, `Service` with a service name, or `anonymous`. */
  type: 'AWS' | 'Service' | 'anonymous';
  arn?: string | undefined;
  accountId?: string | undefined;
  service?: string | undefined;
}

/** A concrete request, as IAM evaluates it against a resource or endpoint policy. */
interface Request {
  principal: PrincipalRef;
  action: string;
  resource: string;
  context: RequestContext;
}

const principalValueMatches = (value: PrincipalValue, principal: PrincipalRef): boolean => {
  if (value.type === 'AWS') {
    if (principal.type !== 'AWS') return false;
    if (value.value === '*') return true;
    const account = principalAccount(value);
    const isAccountWide = /^\d{12}$/.test(value.value) || /:root$/.test(value.value);
    if (isAccountWide) return account !== undefined && account === principal.accountId;
    return value.value === principal.arn;
  }
  if (value.type === 'Service')
    return principal.type === 'Service' && principal.service === value.value;
  return false;
};

const principalMatches = (statement: Statement, principal: PrincipalRef): boolean => {
  const set = statement.principal;
  switch (set.kind) {
    case 'everyone':
    case 'unspecified':
      return true;
    case 'only':
      return set.principals.some((value) => principalValueMatches(value, principal));
    case 'not':
      return !set.principals.some((value) => principalValueMatches(value, principal));
  }
};

/** Whether a statement applies to a request: principal, action, resource and every condition. */
const statementApplies = (statement: Statement, request: Request): boolean =>
  principalMatches(statement, request.principal) &&
  matchSetMatches(statement.actions, request.action, 'action') &&
  matchSetMatches(statement.resources, request.resource, 'resource') &&
  conditionsMatch(statement.conditions, request.context);

type Decision = 'explicit-deny' | 'allow' | 'implicit-deny';

/** This policy's own decision on a request: an applicable Deny wins over any Allow. */
const evaluateRequest = (policy: PolicyDocument, request: Request): Decision => {
  const applicable = policy.statements.filter((statement) => statementApplies(statement, request));
  if (applicable.some((statement) => statement.effect === 'Deny')) return 'explicit-deny';
  return applicable.some((statement) => statement.effect === 'Allow') ? 'allow' : 'implicit-deny';
};

export type { Decision, Dimension, PrincipalRef, Request };
export {
  appliesToEveryone,
  evaluateRequest,
  matchSetCovers,
  matchSetMatches,
  matchSetOverlaps,
  principalAccount,
  statementApplies,
  uncoveredBy,
};
