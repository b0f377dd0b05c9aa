import { atoms, compile, matchText, type Pattern } from './automata.js';
import type { Tri } from './condition.js';
import type { ConditionEntry, PrincipalSet } from './document.js';
import { entryPatterns, type KeyValue, modeOf } from './domains.js';
import { literal } from './synthetic.js';

/**
 * Who makes a request, as the analyser enumerates them: an IAM principal (identified by
 * aws:PrincipalArn — for a role session, the role's ARN), an AWS service principal, or an
 * anonymous caller. aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalIsAWSService and
 * aws:PrincipalServiceName are read off the principal, never chosen independently, so a
 * counterexample never pairs an ARN with another account.
 */

type Principal =
  /** `session`: the assumed-role session ARN of a role session (its `arn` is the role's). */
  | { kind: 'iam'; arn: string; account: string; session?: string }
  | { kind: 'service'; name: string }
  | { kind: 'anonymous' };

/** The value a principal-describing key has for a principal (`null`: absent). */
const principalKey = (principal: Principal, key: string): KeyValue => {
  switch (key) {
    case 'aws:principalarn':
      return principal.kind === 'iam' ? [principal.arn] : null;
    case 'aws:principalaccount':
      return principal.kind === 'iam' ? [principal.account] : null;
    // "Present in the request context for all signed API requests ... Anonymous requests do
    // not include this key": a non-IfExists test of it never holds for an anonymous caller.
    case 'aws:principalisawsservice':
      if (principal.kind === 'anonymous') return null;
      return [principal.kind === 'service' ? 'true' : 'false'];
    case 'aws:principalservicename':
      return principal.kind === 'service' ? [principal.name] : null;
    default:
      return null;
  }
};

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Whether a Principal/NotPrincipal value names the principal. In Principal an account id or its
 * `:root` ARN names every principal of the account; in NotPrincipal it names the account itself
 * (the root user) only: the IAM example listing a session, its role and the account root in a
 * Deny's NotPrincipal denies every other principal of that account
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
 * A role ARN names the role's sessions, a session ARN that session. AWS rejects wildcards inside
 * principal ARNs, so they are literal here
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
 */
const namesPrincipal = (
  type: string,
  value: string,
  principal: Principal,
  element: 'only' | 'not',
): Tri => {
  if (type === 'Service') return principal.kind === 'service' && principal.name === value;
  if (type !== 'AWS') return principal.kind === 'iam' ? undefined : false;
  if (principal.kind !== 'iam') return false;
  const root = /^arn:([^:]+):iam::(\d{12}):root$/.exec(value);
  const account = ACCOUNT_ID.test(value) ? value : root?.[2];
  if (account !== undefined) {
    const partition = root?.[1];
    const inAccount =
      principal.account === account &&
      (partition === undefined || principal.arn.startsWith(`arn:${partition}:`));
    return element === 'only' ? inAccount : inAccount && principal.arn.endsWith(':root');
  }
  return principal.arn === value || principal.session === value;
};

/** Whether a statement's Principal/NotPrincipal element applies to the principal. */
const principalApplies = (set: PrincipalSet, principal: Principal): Tri => {
  switch (set.kind) {
    case 'everyone':
      return true;
    case 'unspecified':
      // A resource policy statement without a principal is invalid: it cannot be shown to apply.
      return undefined;
    case 'only': {
      let unknown = false;
      for (const p of set.principals) {
        const hit = namesPrincipal(p.type, p.value, principal, 'only');
        if (hit === true) return true;
        if (hit === undefined) unknown = true;
      }
      return unknown ? undefined : false;
    }
    case 'not': {
      let unknown = false;
      for (const p of set.principals) {
        const hit = namesPrincipal(p.type, p.value, principal, 'not');
        if (hit === true) return false;
        if (hit === undefined) unknown = true;
      }
      return unknown ? undefined : true;
    }
  }
};

/** The principal ARNs an element value or a principal condition names, as patterns. */
const principalPatterns = (
  sets: readonly PrincipalSet[],
  entries: readonly ConditionEntry[],
  variables: boolean,
): { arns: Pattern[]; services: Pattern[] } => {
  const arns: Pattern[] = [];
  const services: Pattern[] = [];
  const push = (pattern: Pattern | undefined) => {
    if (pattern) arns.push(pattern);
  };
  for (const set of sets) {
    if (set.kind !== 'only' && set.kind !== 'not') continue;
    for (const p of set.principals) {
      if (p.type === 'Service') services.push(compile(p.value, 'literal') as Pattern);
      if (p.type !== 'AWS') continue;
      const root = /^arn:([^:]+):iam::(\d{12}):root$/.exec(p.value);
      // The account, and its root user on its own (all NotPrincipal exempts of the account).
      if (ACCOUNT_ID.test(p.value)) {
        push(compile(`arn:*:*::${p.value}:*`, 'arn'));
        push(compile(`arn:*:iam::${p.value}:root`, 'arn'));
      } else if (root) {
        push(compile(`arn:${root[1]}:*::${root[2]}:*`, 'arn'));
        push(compile(p.value, 'literal'));
      } else push(compile(p.value, 'literal'));
    }
  }
  for (const entry of entries) {
    if (entry.keyLower === 'aws:principalarn') arns.push(...entryPatterns(entry, variables));
    if (entry.keyLower === 'aws:principalservicename') {
      services.push(...entryPatterns(entry, variables));
    }
    if (entry.keyLower === 'aws:principalaccount') {
      const mode = modeOf(entry);
      if (mode === undefined || mode.mode === 'arn') continue;
      for (const value of entry.values) {
        const account = mode.mode === 'glob' ? value : literal(value);
        push(compile(`arn:*:*::${account}:*`, 'arn', mode.ignoreCase));
      }
    }
  }
  return { arns, services };
};

/**
 * One principal per class of principals every pattern answers alike for: IAM principals of the
 * partition (ARNs with an iam or sts service and an account), service principals, and anonymous.
 */
const principalDomain = (
  partition: string,
  patterns: { arns: Pattern[]; services: Pattern[] },
  seeds: readonly string[],
): { values: Principal[]; complete: boolean } => {
  const shapes = ['iam', 'sts'].map(
    (service) => compile(`arn:${partition}:${service}::*:*`, 'arn') as Pattern,
  );
  const candidates = (witness: string): string[] => {
    const [, , service = 'iam', , account = '', rest = ''] = witness.split(':');
    // Account ids are exactly 12 digits: try the witness's account made into one first.
    const twelve = `${account.replace(/\D/g, '0')}000000000000`.slice(0, 12);
    const accounts = /^\d{12}$/.test(account) ? [account] : [twelve, '999999999999', account];
    return accounts.flatMap((a) => [
      `arn:${partition}:iam::${a}:user/x`,
      `arn:${partition}:iam::${a}:role/x`,
      `arn:${partition}:${service}::${a}:${rest}`,
      `arn:${partition}:${service}::${a}:${rest}x`,
    ]);
  };
  const arns = atoms(patterns.arns, shapes, seeds, candidates);
  const nonEmpty = compile('?*', 'glob') as Pattern;
  const services = atoms(patterns.services, [nonEmpty], ['cloudtrail.amazonaws.com']);
  const values: Principal[] = [
    ...arns.values.map((arn): Principal => {
      const account = arn.split(':')[4] ?? '';
      // aws:PrincipalArn of a role session is the role's ARN, never the session's
      // (condition key reference, aws:PrincipalArn).
      const session = /^arn:([^:]+):sts::([^:]*):assumed-role\/([^/]+)\/./.exec(arn);
      return session
        ? {
            kind: 'iam',
            arn: `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`,
            account,
            session: arn,
          }
        : { kind: 'iam', arn, account };
    }),
    ...services.values.map((name): Principal => ({ kind: 'service', name })),
    { kind: 'anonymous' },
  ];
  return { values, complete: arns.complete && services.complete };
};

const describePrincipal = (principal: Principal): string =>
  principal.kind === 'iam'
    ? (principal.session ?? principal.arn)
    : principal.kind === 'service'
      ? `service principal ${principal.name}`
      : 'an anonymous caller';

/** Whether an ARN matches a Principal value the way an exemption pattern would. */
const arnMatches = (pattern: string, arn: string): boolean => matchText(pattern, arn, 'arn');

export type { Principal };
export {
  arnMatches,
  describePrincipal,
  principalApplies,
  principalDomain,
  principalKey,
  principalPatterns,
};
