import { conditionEntryMatches } from './condition.js';
import type { ConditionEntry, MatchSet, PolicyDocument, Statement } from './document.js';
import { matchSetCovers, matchSetOverlaps, uncoveredBy } from './statement.js';

/**
 * "Guard" analysis: does the policy hold Deny statements that, together, refuse every request on
 * the targets unless the request passes a guard (comes through an allowed VPC endpoint, uses TLS,
 * belongs to a trusted organisation)? A Deny counts as a guard only when it applies to every
 * principal and every condition entry in it is either a guard entry the caller approves or an
 * exempted key that only carves named principals or services out of it. Any other ANDed entry
 * narrows the Deny: requests that fail it are not denied. Allow
 * statements never count: an IAM identity policy can still grant what a resource policy allows.
 */

interface GuardTarget {
  /** For messages: "the bucket", "its objects". */
  label: string;
  /** Resource pattern the Deny must cover, e.g. `arn:aws:s3:::bucket/*`. */
  resource: string;
}

interface GuardSpec {
  /** Lower-case condition keys that form the guard (`aws:sourcevpce`, `aws:securetransport`). */
  guardKeys: readonly string[];
  /** Judges one entry on a guard key: `undefined` when it denies what it must, else why not. */
  checkGuardEntry(entry: ConditionEntry): string | undefined;
  /** Lower-case keys whose ANDed entries the user accepts (break-glass roles, AWS services). */
  exemptKeys: readonly string[];
  /** Action pattern every request may use, e.g. `s3:*`. */
  actions: string;
  targets: readonly GuardTarget[];
}

type StatementProblem =
  | { kind: 'allow' }
  | { kind: 'principal'; detail: string }
  | { kind: 'guard-entry'; entry: ConditionEntry; detail: string }
  | { kind: 'exemption'; entry: ConditionEntry; detail: string }
  | { kind: 'narrowing'; entry: ConditionEntry };

interface StatementAssessment {
  statement: Statement;
  qualifies: boolean;
  problems: StatementProblem[];
  /** Exempted keys (and `NotPrincipal`) this statement relies on. */
  exemptionsUsed: string[];
  /** Whether any entry uses a guard key: the statement was meant as a guard. */
  mentionsGuard: boolean;
}

interface GuardGap {
  target: GuardTarget;
  /** Action patterns that escape every guard on this target (the whole `actions` when none). */
  escaping: string[];
  /** Guards whose resources cover the whole target. */
  coveringGuards: Statement[];
  /** Guards whose resources reach only part of the target (a prefix of objects, say). */
  partialGuards: Statement[];
}

interface GuardAnalysis {
  complete: boolean;
  guards: StatementAssessment[];
  gaps: GuardGap[];
  /** Statements that touch a guard key or would otherwise cover the targets but do not qualify. */
  rejected: StatementAssessment[];
}

const principalProblem = (
  statement: Statement,
  exemptKeys: readonly string[],
): string | undefined => {
  const principal = statement.principal;
  switch (principal.kind) {
    case 'everyone':
      return undefined;
    case 'unspecified':
      return 'names no Principal';
    case 'not':
      // NotPrincipal in a Deny spares those principals exactly as an aws:PrincipalArn condition would.
      return exemptKeys.includes('aws:principalarn')
        ? undefined
        : `uses NotPrincipal, so ${principal.principals.map((p) => p.value).join(', ')} escape it`;
    case 'only': {
      const { principals } = principal;
      if (principals.length === 0) return 'applies to no principal';
      if (principals.every((p) => p.type === 'Service')) {
        const services = principals.map((p) => p.value).join(', ');
        return `applies only to AWS service principals (Service ${services}), not to IAM users, roles or anonymous callers`;
      }
      const named = principals
        .map((p) => (p.type === 'AWS' ? p.value : `${p.type} ${p.value}`))
        .join(', ');
      return `applies only to ${named}, not to every principal`;
    }
  }
};

/**
 * What a generic outsider's request carries for common exemption keys: `undefined` stands for a
 * request without the key (anonymous callers have no aws:PrincipalArn). Keys not listed get
 * DEFAULT_OUTSIDER: a value nobody would list, and no value.
 */
const OUTSIDER_VALUES: Readonly<Record<string, readonly (string | undefined)[]>> = {
  'aws:principalarn': ['arn:aws:iam::999999999999:role/vpce-guard-outsider', undefined],
  'aws:viaawsservice': ['false'],
  'aws:principalisawsservice': ['false'],
  'aws:principalaccount': ['999999999999', undefined],
  'aws:principalorgid': ['o-vpceguardzz', undefined],
  'aws:sourceip': ['198.51.100.201', undefined],
};

const DEFAULT_OUTSIDER: readonly (string | undefined)[] = ['vpce-guard-outsider', undefined];

/**
 * An exempted key may only carve named principals or services out of the Deny: the entry must
 * still match a generic outsider's request, or the Deny stops applying to almost everyone
 * (`StringEquals aws:PrincipalArn <one role>`, `Bool aws:ViaAWSService "true"`,
 * `StringNotLike aws:PrincipalArn "*"`). Returns why not, or `undefined` for a real carve-out.
 */
const exemptionProblem = (entry: ConditionEntry): string | undefined => {
  const outsiders = OUTSIDER_VALUES[entry.keyLower] ?? DEFAULT_OUTSIDER;
  for (const value of outsiders) {
    const context = value === undefined ? {} : { [entry.keyLower]: value };
    if (conditionEntryMatches(entry, context)) continue;
    const request =
      value === undefined
        ? `a request without ${entry.key}`
        : `a request with ${entry.key} "${value}"`;
    return `${entry.operator} ${entry.key} ${JSON.stringify(entry.values)} restricts the Deny to a few principals or services instead of excepting them: ${request} is not denied. An exempted key may only carve named principals or services out of the Deny (for example ArnNotLike aws:PrincipalArn <break-glass role>, or BoolIfExists aws:ViaAWSService "false")`;
  }
  return undefined;
};

const assessStatement = (statement: Statement, spec: GuardSpec): StatementAssessment => {
  const problems: StatementProblem[] = [];
  const exemptionsUsed: string[] = [];
  if (statement.effect === 'Allow') problems.push({ kind: 'allow' });
  const principal = principalProblem(statement, spec.exemptKeys);
  if (principal !== undefined) problems.push({ kind: 'principal', detail: principal });
  else if (statement.principal.kind === 'not') exemptionsUsed.push('NotPrincipal');
  let mentionsGuard = false;
  for (const entry of statement.conditions) {
    if (spec.guardKeys.includes(entry.keyLower)) {
      mentionsGuard = true;
      const detail = spec.checkGuardEntry(entry);
      if (detail !== undefined) problems.push({ kind: 'guard-entry', entry, detail });
    } else if (spec.exemptKeys.includes(entry.keyLower)) {
      const detail = exemptionProblem(entry);
      if (detail !== undefined) problems.push({ kind: 'exemption', entry, detail });
      else if (!exemptionsUsed.includes(entry.key)) exemptionsUsed.push(entry.key);
    } else {
      problems.push({ kind: 'narrowing', entry });
    }
  }
  return { statement, qualifies: problems.length === 0, problems, exemptionsUsed, mentionsGuard };
};

/** Whether a statement reaches the targets at all (so its failure to qualify is worth naming). */
const reachesTargets = (statement: Statement, spec: GuardSpec): boolean =>
  matchSetOverlaps(statement.actions, spec.actions, 'action') &&
  spec.targets.some((target) => matchSetOverlaps(statement.resources, target.resource, 'resource'));

/** Runs the guard analysis of a parsed policy for one spec. */
const analyseGuards = (policy: PolicyDocument, spec: GuardSpec): GuardAnalysis => {
  const assessed = policy.statements.map((statement) => assessStatement(statement, spec));
  const guards = assessed.filter((assessment) => assessment.qualifies);
  const rejected = assessed.filter(
    (assessment) =>
      !assessment.qualifies &&
      reachesTargets(assessment.statement, spec) &&
      (assessment.mentionsGuard || assessment.statement.effect === 'Deny'),
  );
  const gaps: GuardGap[] = [];
  for (const target of spec.targets) {
    const coveringGuards = guards
      .map((guard) => guard.statement)
      .filter((statement) => matchSetCovers(statement.resources, target.resource, 'resource'));
    const partialGuards = guards
      .map((guard) => guard.statement)
      .filter(
        (statement) =>
          !coveringGuards.includes(statement) &&
          matchSetOverlaps(statement.resources, target.resource, 'resource'),
      );
    const sets: MatchSet[] = coveringGuards.map((statement) => statement.actions);
    const escaping = uncoveredBy(sets, spec.actions, 'action');
    if (escaping.length > 0) gaps.push({ target, escaping, coveringGuards, partialGuards });
  }
  return { complete: gaps.length === 0, guards, gaps, rejected };
};

/** Whether the entry matches a request that does not carry its key at all. */
const matchesWhenAbsent = (entry: ConditionEntry): boolean => conditionEntryMatches(entry, {});

/** Used when the caller's candidates are all named by the entry itself. */
const FALLBACK_PROBE = 'vpce-guard-probe-0000000000';

/**
 * The entry's answer for each request carrying a generic outsider's value (a foreign endpoint, an
 * untrusted account). A candidate the entry names literally (an allow-list that happens to hold
 * it) is skipped. A wildcard that matches a candidate is a real match, not a reason to skip it:
 * `StringNotLike "*"` or `"vpce-*"` lets every endpoint through and must be judged as such.
 */
const outsideAnswers = (entry: ConditionEntry, candidates: readonly string[]): boolean[] => {
  const ignoreCase = /ignorecase/i.test(entry.operator);
  const normal = (text: string): string => (ignoreCase ? text.toLowerCase() : text);
  const named = new Set(entry.values.map(normal));
  const probes = candidates.filter((candidate) => !named.has(normal(candidate)));
  return (probes.length > 0 ? probes : [FALLBACK_PROBE]).map((probe) =>
    conditionEntryMatches(entry, { [entry.keyLower]: probe }),
  );
};

/** Whether the entry matches every request carrying an outsider's value (what a Deny needs). */
const matchesOutsideValues = (entry: ConditionEntry, candidates: readonly string[]): boolean =>
  outsideAnswers(entry, candidates).every(Boolean);

/** Whether the entry matches no request carrying an outsider's value (what limits an Allow). */
const matchesNoOutsideValue = (entry: ConditionEntry, candidates: readonly string[]): boolean =>
  !outsideAnswers(entry, candidates).some(Boolean);

export type {
  GuardAnalysis,
  GuardGap,
  GuardSpec,
  GuardTarget,
  StatementAssessment,
  StatementProblem,
};
export { analyseGuards, matchesNoOutsideValue, matchesOutsideValues, matchesWhenAbsent };
