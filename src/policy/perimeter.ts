import type { Counterexample } from '../model/compliance.js';
import { matchText } from './automata.js';
import { type Box, isEmpty } from './boxes.js';
import { hasVariable, isNegated } from './condition.js';
import {
  allowed,
  boxOf,
  counterexampleOf,
  entryFilter,
  type Filter,
  type Miss,
  plainestFirst,
  uncovered,
  type Witness,
  whyNotMatched,
  witnessOf,
  worlds,
} from './containment.js';
import type { ConditionEntry, PolicyDocument, Statement } from './document.js';
import { statementLabel } from './document.js';
import {
  type ActionClass,
  buildSpace,
  type Space,
  type StatementBoxes,
  statementBoxes,
} from './space.js';
import { entry, literal } from './synthetic.js';

/**
 * The endpoint-policy question: is every request the policy lets through the endpoint bounded on
 * the principal side (a principal of a trusted account or organization) or on the resource side (a
 * resource of a trusted account or organization, or one the policy names)? An endpoint policy
 * only ever sees requests through its own endpoint, so aws:SourceVpce is that endpoint's id.
 * Allow statements count with everything they may allow (undecidable conditions included);
 * Deny statements only with what they surely deny.
 */

interface EndpointFacts {
  id: string;
  vpcId: string | undefined;
  account: string | undefined;
  partition: string;
  region: string;
  /** IAM action prefix of the service (`s3`, `dynamodb`); undefined for a PrivateLink service. */
  prefix: string | undefined;
  /** The prefix is documented for the service name, not guessed from it. */
  prefixKnown?: boolean;
}

interface Trust {
  accounts: readonly string[];
  orgs: readonly string[];
  /** Resource patterns that count as bounded (the policy's own named resources). */
  resources: readonly string[];
}

interface PerimeterEscape {
  counterexample: Counterexample;
  /** The Allow statements that let it through. */
  allowedBy: string[];
  /** Why each Deny misses it. */
  misses: Miss[];
}

interface PerimeterResult {
  compliant: boolean;
  escapes: PerimeterEscape[];
  undecided: string[];
  /** Whether any request is allowed at all (a policy that allows nothing locks the endpoint). */
  allowsAnything: boolean;
}

const ACCOUNT = /^\d{12}$/;
const ORG = /^o-[a-z0-9]{10,32}$/;

const conditionValues = (statements: readonly Statement[], keys: readonly string[]): string[] =>
  statements.flatMap((s) =>
    s.conditions.filter((c) => keys.includes(c.keyLower)).flatMap((c) => c.values),
  );

/**
 * A resource pattern names its owner: an S3 bucket named in full, or an account. A wildcard in a
 * bucket name (`corp-*`, `example?ucket`) names no owner: bucket names are one global,
 * first-come namespace, so anyone can create a bucket that matches
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). Only a bucket
 * ARN leaves region and account empty: an S3 ARN that carries them (an access point, a
 * Multi-Region Access Point, a job) is owned by the account it names, so
 * `arn:aws:s3:*:*:accesspoint/*` reaches every account's data like `arn:aws:s3:::*`.
 */
const namesOwner = (pattern: string, accounts: readonly string[] | undefined): boolean => {
  const parts = pattern.split(':');
  if (parts.length < 6 || /[*?]/.test(parts[2] ?? '*')) return false;
  if (parts[2] === 's3' && parts[3] === '' && parts[4] === '') {
    const bucket = (parts.slice(5).join(':').split('/')[0] ?? '').trim();
    return accounts === undefined && bucket.length > 0 && !/[*?]/.test(bucket);
  }
  const account = parts[4] ?? '';
  return ACCOUNT.test(account) && (accounts === undefined || accounts.includes(account));
};

/**
 * The trusted accounts, organizations and resources: the parameters when given, otherwise what
 * the policy itself names literally.
 */
const trustOf = (
  policy: PolicyDocument,
  accounts: readonly string[],
  orgs: readonly string[],
): Trust => {
  const allows = policy.statements.filter((s) => s.effect === 'Allow');
  // A Deny of every resource but some (NotResource) names them as an Allow limited to them does.
  const namedBy = (s: Statement) =>
    s.resources.kind === (s.effect === 'Allow' ? 'only' : 'except') ? s.resources.patterns : [];
  const resources = policy.statements.flatMap(namedBy).filter((p) => !hasVariable(p, true));
  if (accounts.length > 0 || orgs.length > 0) {
    return { accounts, orgs, resources: resources.filter((p) => namesOwner(p, accounts)) };
  }
  // A Deny of everything outside an account or organization (a negated test of it) names it as
  // trusted just as an Allow limited to it does; a positive test in a Deny names one to keep out.
  const fences = policy.statements
    .filter((s) => s.effect === 'Deny')
    .map((s) => ({ ...s, conditions: s.conditions.filter((c) => c.base && isNegated(c.base)) }));
  const limits = [...allows, ...fences];
  const named = new Set<string>();
  for (const s of policy.statements) {
    if (s.principal.kind !== 'only') continue;
    for (const p of s.principal.principals) {
      const account = ACCOUNT.test(p.value) ? p.value : p.value.split(':')[4];
      if (p.type === 'AWS' && account && ACCOUNT.test(account)) named.add(account);
    }
  }
  const accountKeys = ['aws:principalaccount', 'aws:resourceaccount', 's3:resourceaccount'];
  for (const v of conditionValues(limits, accountKeys)) if (ACCOUNT.test(v)) named.add(v);
  for (const v of conditionValues(limits, ['aws:principalarn'])) {
    const account = v.split(':')[4] ?? '';
    if (ACCOUNT.test(account)) named.add(account);
  }
  const orgKeys = [
    'aws:principalorgid',
    'aws:resourceorgid',
    'aws:principalorgpaths',
    'aws:resourceorgpaths',
  ];
  const namedOrgs = new Set(
    conditionValues(limits, orgKeys)
      .map((v) => v.split('/')[0] ?? '')
      .filter((v) => ORG.test(v)),
  );
  return {
    accounts: [...named],
    orgs: [...namedOrgs],
    resources: resources.filter((p) => namesOwner(p, undefined)),
  };
};

/**
 * For S3, s3:ResourceAccount names the bucket owner as aws:ResourceAccount does: "you can write
 * simple IAM or Virtual Private Cloud Endpoint (VPCE) policies to restrict user or application
 * access to S3 buckets that are owned by specified AWS Accounts" (AWS What's New, 2020-12-21).
 */
const trustEntries = (trust: Trust, s3: boolean): ConditionEntry[] => [
  ...(trust.accounts.length > 0
    ? [
        entry('StringEquals', 'aws:PrincipalAccount', trust.accounts.map(literal)),
        entry('StringEquals', 'aws:ResourceAccount', trust.accounts.map(literal)),
        ...(s3 ? [entry('StringEquals', 's3:ResourceAccount', trust.accounts.map(literal))] : []),
      ]
    : []),
  ...(trust.orgs.length > 0
    ? [
        entry('StringEquals', 'aws:PrincipalOrgID', trust.orgs),
        entry('StringEquals', 'aws:ResourceOrgID', trust.orgs),
        entry(
          'StringLike',
          'aws:PrincipalOrgPaths',
          trust.orgs.map((o) => `${o}/*`),
          'ForAllValues',
        ),
        entry(
          'StringLike',
          'aws:ResourceOrgPaths',
          trust.orgs.map((o) => `${o}/*`),
          'ForAllValues',
        ),
      ]
    : []),
];

/**
 * Keeps the requests for which no trust entry holds with its key present. A trusted S3 resource
 * pattern bounds a request only when the request's ARN names the same owner in the same place:
 * it is read as an ARN, each of the first five segments on its own. Read as the Resource element
 * reads it, a `*` that ends a segment "can expand to match beyond the colon boundaries" (IAM User
 * Guide, Resource element), and an object key may hold colons: `arn:*:s3:::corp-data/*` matches
 * `arn:aws:s3:::exfil/x:s3:::corp-data/y`, an object of another bucket. Other services' resource
 * ids hold no caller-chosen colons, so their patterns keep the Resource reading.
 */
const unbounded = (entries: readonly ConditionEntry[], trust: Trust, s3: boolean): Filter[] => [
  ...entries.map((e): Filter => {
    const base = entryFilter(e, true);
    return {
      dim: base.dim,
      keep: (value, dim) =>
        !((dim.kind === 'principal' || value !== null) && base.keep(value, dim)),
    };
  }),
  {
    dim: 'resource',
    keep: (value) =>
      !trust.resources.some((p) => matchText(p, value as string, s3 ? 'arn' : 'glob')),
  },
];

const contains = (space: Space, box: readonly bigint[], witness: Witness): boolean => {
  const picks: unknown[] = [witness.principal, witness.action, witness.resource];
  return space.dims.every((dim, index) => {
    const value = index < 3 ? picks[index] : witness.keys.get(dim.name);
    const at = dim.values.indexOf(value as never);
    return at >= 0 && (((box[index] as bigint) >> BigInt(at)) & 1n) === 1n;
  });
};

/**
 * Action prefixes an Allow names literally besides the endpoint's own. Where vpce-guard reads an
 * endpoint's IAM prefix off its service name (no documented one), AWS does not promise it matches
 * (kinesis-streams serves kinesis: actions): what a policy grants under another prefix may be what
 * the endpoint carries, so it stays in the request space instead of passing as allowing nothing.
 */
const grantedPrefixes = (policy: PolicyDocument, prefix: string): string[] => {
  const found = new Set<string>();
  for (const s of policy.statements) {
    if (s.effect !== 'Allow' || s.actions.kind !== 'only') continue;
    for (const pattern of s.actions.patterns) {
      const service = /^([a-z0-9-]+):/i.exec(pattern)?.[1]?.toLowerCase();
      if (service !== undefined && service !== prefix) found.add(service);
    }
  }
  return [...found].sort();
};

const analysePerimeter = (
  policy: PolicyDocument,
  endpoint: EndpointFacts,
  trust: Trust,
): PerimeterResult => {
  const prefix = endpoint.prefix ?? '*';
  const questions = trustEntries(trust, prefix === 's3');
  const { partition, region } = endpoint;
  const also =
    prefix === 's3' || prefix === '*' || endpoint.prefixKnown === true
      ? []
      : grantedPrefixes(policy, prefix);
  const space = buildSpace({
    partition,
    variables: policy.version === '2012-10-17',
    statements: policy.statements,
    questionEntries: questions,
    actions: prefix === 's3' ? { kind: 's3', separate: [] } : { kind: 'service', prefix, also },
    resources: {
      kind: 'any',
      seeds:
        prefix === 's3'
          ? [`arn:${partition}:s3:::outside-bucket/key`, `arn:${partition}:s3:::outside-bucket`]
          : [
              `arn:${partition}:${prefix}:${region}:999999999999:table/outside`,
              `arn:${partition}:${prefix}:${region}:999999999999:outside`,
            ],
    },
    fixed: {
      'aws:sourcevpce': [endpoint.id],
      ...(endpoint.vpcId ? { 'aws:sourcevpc': [endpoint.vpcId] } : {}),
      ...(endpoint.account ? { 'aws:vpceaccount': [endpoint.account] } : {}),
      'aws:sourceip': null,
    },
    keyPrefixes: prefix === '*' ? [] : [prefix, ...also],
    // Realistic values for counterexamples: a short witness is completed with a seed's tail.
    seeds: {
      'aws:principalorgid': ['o-zzzzzzzzzz'],
      'aws:principalorgpaths': ['o-zzzzzzzzzz/r-zzzz/ou-zzzz-zzzzzzzz/'],
      'aws:resourceaccount': ['999999999999'],
      'aws:resourceorgid': ['o-zzzzzzzzzz'],
      'aws:resourceorgpaths': ['o-zzzzzzzzzz/r-zzzz/ou-zzzz-zzzzzzzz/'],
    },
    principalSeeds: [`arn:${partition}:iam::999999999999:user/x`],
    extraKeys: ['aws:principalorgid', 'aws:resourceaccount'],
    ownerPatterns: prefix === 's3' ? trust.resources : [],
  });
  const targets: Box[] = worlds(space)
    .map((world) =>
      boxOf(space, [
        ...world,
        ...unbounded(questions, trust, prefix === 's3'),
        // In an S3 policy only actions on buckets and objects reach another account's data.
        ...(prefix === 's3'
          ? [{ dim: 'action', keep: (v: unknown) => (v as ActionClass).on !== '' }]
          : []),
      ]),
    )
    .filter((box) => !isEmpty(box));
  const statements = policy.statements.map((s) => statementBoxes(space, s));
  const allows = statements.filter((s) => s.statement.effect === 'Allow');
  const denies = statements.filter((s) => s.statement.effect === 'Deny');
  const escapes = uncovered(allowed(targets, allows), denies);
  const everything = worlds(space).map((world) => boxOf(space, world));
  return {
    compliant: escapes.length === 0,
    escapes: pick(space, escapes, allows, denies),
    undecided: [...new Set(statements.flatMap((s) => s.undecided))],
    allowsAnything: uncovered(allowed(everything, allows), denies).length > 0,
  };
};

const pick = (
  space: Space,
  boxes: readonly Box[],
  allows: readonly StatementBoxes[],
  denies: readonly StatementBoxes[],
): PerimeterEscape[] => {
  const seen = new Set<string>();
  const result: PerimeterEscape[] = [];
  for (const box of plainestFirst(boxes)) {
    const witness = witnessOf(space, box);
    const allowedBy = allows
      .filter((a) => contains(space, a.over, witness))
      .map((a) => statementLabel(a.statement));
    const key = allowedBy.join('|');
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({
      counterexample: counterexampleOf(witness),
      allowedBy,
      misses: denies.map((d) => whyNotMatched(space, d, witness)),
    });
    if (result.length >= 3) break;
  }
  return result;
};

export type { EndpointFacts, PerimeterEscape, PerimeterResult, Trust };
export { analysePerimeter, trustOf };
