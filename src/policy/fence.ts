import type { Counterexample } from '../model/compliance.js';
import { type Box, isEmpty, members, subtract } from './boxes.js';
import { hasVariable } from './condition.js';
import {
  boxOf,
  counterexampleOf,
  entryFilter,
  type Filter,
  type Miss,
  plainestFirst,
  uncovered,
  whyNotMatched,
  witnessOf,
  worlds,
} from './containment.js';
import type { ConditionEntry, PolicyDocument, Statement } from './document.js';
import { ENDPOINT_KEYS, KEY_SHAPES } from './keys.js';
import {
  type ActionClass,
  buildSpace,
  type Space,
  type StatementBoxes,
  statementBoxes,
} from './space.js';
import { entry, literal, valueIn } from './synthetic.js';

/**
 * The bucket-policy question: is every request to the bucket or its objects that comes from
 * outside the approved network (or over plain HTTP), and is not an accepted exemption, denied by
 * some Deny statement? Allow statements never count: an identity policy can grant what a bucket
 * policy does not mention. What the analyser cannot decide counts as not denied.
 */

interface BucketFacts {
  name: string;
  arn: string;
  partition: string;
  /** The owner account, when known: its root user and service-linked roles are special. */
  account: string | undefined;
}

type Fence =
  | {
      kind: 'network';
      allowedVpceIds: readonly string[];
      allowedVpcIds: readonly string[];
      trustedAccountIds: readonly string[];
      trustedOrgIds: readonly string[];
    }
  | { kind: 'tls' };

/** Condition key → accepted values (patterns), already resolved for the bucket. */
type Exemptions = Readonly<Record<string, readonly string[]>>;

interface Escape {
  counterexample: Counterexample;
  /** Why each Deny that reaches the bucket misses this request; empty when none reaches it. */
  misses: Miss[];
}

interface FenceResult {
  compliant: boolean;
  escapes: Escape[];
  /** Known actions some escaping request uses, with the resource type: "s3:RestoreObject on objects". */
  escapingActions: string[];
  /** Whether every known action on the bucket and its objects escapes. */
  allActionsEscape: boolean;
  undecided: string[];
  /** The policy also denies every approved request: nothing gets in at all. */
  lockOut: boolean;
  /** No Deny uses a wildcard covering every s3: action, so actions AWS adds later are not denied. */
  explicitActionsOnly: boolean;
  /** Deny statements that cover part of the target. */
  denies: Statement[];
  /** Allow statements: they grant, they never keep a request out. */
  allows: Statement[];
}

/** The AWS-owned rights no policy removes: the owner's root user manages the bucket policy. */
const ROOT_ACTIONS = ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'];

const SEEDS: Record<string, string[]> = {
  'aws:sourceip': ['198.51.100.7', '2001:db8::7'],
  'aws:sourcevpce': ['vpce-1a2b3c4d5e6f70000'],
  'aws:sourcevpc': ['vpc-1a2b3c4d5e6f70000'],
  'aws:sourcevpcarn': ['arn:aws:ec2:us-east-1:999999999999:vpc/vpc-1a2b3c4d5e6f70000'],
  'aws:vpcsourceip': ['10.0.0.7'],
  'aws:vpceaccount': ['999999999999'],
  'aws:vpceorgid': ['o-zzzzzzzzzz'],
  'aws:vpceorgpaths': ['o-zzzzzzzzzz/r-zzzz/ou-zzzz-zzzzzzzz/'],
  'aws:principalorgid': ['o-zzzzzzzzzz'],
  'aws:principalorgpaths': ['o-zzzzzzzzzz/r-zzzz/ou-zzzz-zzzzzzzz/'],
  'aws:userid': ['AIDAOUTSIDEREXAMPLE'],
};

const literalValues = (statements: readonly Statement[], key: string): ConditionEntry[] => {
  const result: ConditionEntry[] = [];
  for (const statement of statements) {
    if (statement.effect !== 'Deny') continue;
    for (const e of statement.conditions) {
      if (e.keyLower !== key || e.base === undefined) continue;
      const values = e.values.filter((value) => !hasVariable(value, true) && !/[*?]/.test(value));
      if (values.length === 0) continue;
      result.push(
        entry(
          /IgnoreCase/i.test(e.base) ? 'StringEqualsIgnoreCase' : 'StringEquals',
          e.key,
          values,
        ),
      );
    }
  }
  return result;
};

/** Entries that each approve a request through an endpoint (any one suffices). */
const approvals = (
  fence: Fence & { kind: 'network' },
  bucket: BucketFacts,
  policy: PolicyDocument,
): ConditionEntry[] => {
  const accounts = [...(bucket.account ? [bucket.account] : []), ...fence.trustedAccountIds];
  const pinned = fence.allowedVpceIds.length > 0 || fence.allowedVpcIds.length > 0;
  const vpce = pinned
    ? fence.allowedVpceIds.length > 0
      ? [entry('StringLike', 'aws:SourceVpce', fence.allowedVpceIds)]
      : []
    : literalValues(policy.statements, 'aws:sourcevpce');
  const vpc = pinned
    ? fence.allowedVpcIds.length > 0
      ? [entry('StringLike', 'aws:SourceVpc', fence.allowedVpcIds)]
      : []
    : literalValues(policy.statements, 'aws:sourcevpc');
  const vpcArns = pinned
    ? fence.allowedVpcIds.flatMap((id) => accounts.map((a) => `arn:*:ec2:*:${a}:vpc/${id}`))
    : accounts.map((a) => `arn:*:ec2:*:${a}:vpc/*`);
  // Pinned ids make the approved network exactly those endpoints and VPCs: an endpoint is not
  // approved for belonging to a trusted account or organization (it may sit in another VPC).
  const owners = pinned ? [] : accounts;
  const orgs = pinned ? [] : fence.trustedOrgIds;
  return [
    ...vpce,
    ...vpc,
    ...(vpcArns.length > 0 ? [entry('ArnLike', 'aws:SourceVpcArn', vpcArns)] : []),
    ...(owners.length > 0 ? [entry('StringEquals', 'aws:VpceAccount', owners.map(literal))] : []),
    ...(orgs.length > 0 ? [entry('StringEquals', 'aws:VpceOrgID', orgs)] : []),
    ...(orgs.length > 0
      ? [
          entry(
            'StringLike',
            'aws:VpceOrgPaths',
            orgs.map((o) => `${o}/*`),
            'ForAllValues',
          ),
        ]
      : []),
  ];
};

/** Keeps requests on which the entry holds with the key present (an approval or exemption). */
const holdsPresent = (e: ConditionEntry, holds: boolean): Filter => {
  const base = entryFilter(e, true);
  return {
    dim: base.dim,
    keep: (value, dim) => {
      const present = dim.kind === 'principal' || value !== null;
      return (present && base.keep(value, dim)) === holds;
    },
  };
};

// Values the class searches try on their own (domains.ts, principals.ts, space.ts), and the other
// strings every fence analysis holds whatever the policy.
const FIXED_STRINGS = [
  ...Object.values(SEEDS).flat(),
  ...KEY_SHAPES,
  ...ROOT_ACTIONS,
  'example',
  'cloudtrail.amazonaws.com',
  '999999999999',
  'exfil',
  'key',
  'x',
];

/**
 * Every string the fence analysis compares a policy's values with besides the policy's own: the
 * approvals (`approvals`, without the values it reads off the policy, which are renamed with it),
 * exemptions, seeds and the bucket's ARNs (src/policy/identifiers.ts renames an identifier only
 * where it compares alike with all of them).
 */
const fenceStrings = (bucket: BucketFacts, fence: Fence, exemptions: Exemptions): string[] => {
  const ownless = { version: undefined, id: undefined, statements: [] };
  const approved = fence.kind === 'network' ? approvals(fence, bucket, ownless) : [];
  return [
    ...FIXED_STRINGS,
    ...approved.flatMap((e) => e.values),
    ...Object.values(exemptions).flat(),
    ...(bucket.account ? [bucket.account] : []),
    bucket.arn,
    `${bucket.arn}/*`,
    ...principalSeeds(bucket),
  ];
};

/** The principals every fence analysis tries: an outsider, and the owner's root user. */
const principalSeeds = (bucket: BucketFacts): string[] => [
  `arn:${bucket.partition}:iam::999999999999:user/x`,
  ...(bucket.account ? [rootArnOf(bucket)] : []),
];

const rootArnOf = (bucket: BucketFacts): string =>
  `arn:${bucket.partition}:iam::${bucket.account}:root`;

const analyseFence = (
  policy: PolicyDocument,
  bucket: BucketFacts,
  fence: Fence,
  exemptions: Exemptions,
): FenceResult => {
  const approved = fence.kind === 'network' ? approvals(fence, bucket, policy) : [];
  const exempt = Object.entries(exemptions).map(([key, values]) => valueIn(key, values));
  const rootArn = bucket.account ? rootArnOf(bucket) : undefined;
  const rootEntry = rootArn ? entry('StringEquals', 'aws:PrincipalArn', [rootArn]) : undefined;
  const space: Space = buildSpace({
    partition: bucket.partition,
    variables: policy.version === '2012-10-17',
    statements: policy.statements,
    questionEntries: [...approved, ...exempt, ...(rootEntry ? [rootEntry] : [])],
    actions: { kind: 's3', separate: ROOT_ACTIONS },
    resources: { kind: 'bucket', arn: bucket.arn },
    fixed: bucket.account ? { 'aws:resourceaccount': [bucket.account] } : {},
    keyPrefixes: [],
    seeds: SEEDS,
    principalSeeds: principalSeeds(bucket),
    extraKeys:
      fence.kind === 'tls'
        ? ['aws:securetransport', 'aws:sourceip', 'aws:sourcevpce']
        : ['aws:sourceip', 'aws:sourcevpce', 'aws:securetransport', ...ENDPOINT_KEYS],
  });
  const typedFilters = (on: 'b' | 'o'): Filter[] => [
    { dim: 'action', keep: (value) => (value as ActionClass).on === on },
    { dim: 'resource', keep: (value) => (value === bucket.arn) === (on === 'b') },
  ];
  // One filter object per question, so boxOf evaluates each against the classes once.
  const byType = { b: typedFilters('b'), o: typedFilters('o') };
  const typed = (on: 'b' | 'o'): Filter[] => byType[on];
  const allWorlds = worlds(space);
  const notExempt = exempt.map((e) => holdsPresent(e, false));
  const outside: Filter[][] =
    fence.kind === 'tls'
      ? [[{ dim: 'aws:securetransport', keep: (value) => JSON.stringify(value) === '["false"]' }]]
      : [
          [{ dim: 'aws:sourceip', keep: (value) => value !== null }],
          [
            { dim: 'aws:sourceip', keep: (value) => value === null },
            ...approved.map((e) => holdsPresent(e, false)),
          ],
        ];
  const inside: Filter[][] =
    fence.kind === 'tls'
      ? [[{ dim: 'aws:securetransport', keep: (value) => JSON.stringify(value) === '["true"]' }]]
      : approved.map((e) => [
          { dim: 'aws:sourceip', keep: (value: unknown) => value === null },
          holdsPresent(e, true),
        ]);
  const product = (filters: Filter[][]): Box[] =>
    allWorlds.flatMap((world) =>
      filters.flatMap((f) =>
        (['b', 'o'] as const).map((on) => boxOf(space, [...world, ...f, ...typed(on)])),
      ),
    );
  const rootBox = rootArn
    ? [
        boxOf(space, [
          { dim: 'principal', keep: (value) => (value as { arn?: string }).arn === rootArn },
          { dim: 'action', keep: (value) => ROOT_ACTIONS.includes((value as ActionClass).name) },
        ]),
      ]
    : [];
  const notExemptBox = boxOf(space, notExempt);
  const targets = subtract(
    product(outside).map((box) => notExemptBox.map((set, i) => set & (box[i] as bigint))),
    rootBox,
  ).filter((box) => !isEmpty(box));
  const statements = policy.statements.map((s) => statementBoxes(space, s));
  const denies = statements.filter((s) => s.statement.effect === 'Deny');
  const escapes = uncovered(targets, denies);
  const reaching = denies.filter((d) =>
    targets.some((t) => !isEmpty(t.map((set, i) => set & (d.over[i] as bigint)))),
  );
  const escapingClasses = new Set<ActionClass>();
  for (const box of escapes) {
    for (const index of members(box[1] as bigint)) {
      escapingClasses.add(space.dims[1]?.values[index] as ActionClass);
    }
  }
  const allTargetActions = ((space.dims[1]?.values ?? []) as ActionClass[]).filter(
    (c) => c.on !== '',
  );
  const escapingActions = [...escapingClasses].flatMap((c) =>
    c.members.map((name) => `${name} on ${c.on === 'b' ? 'the bucket' : 'objects'}`),
  );
  const insideBoxes = product(inside);
  const lockOut = insideBoxes.length > 0 && uncovered(insideBoxes, denies).length === 0;
  return {
    compliant: escapes.length === 0,
    escapes: pickEscapes(space, escapes, reaching.length > 0 ? reaching : denies),
    escapingActions,
    allActionsEscape: allTargetActions.every((c) => escapingClasses.has(c)),
    undecided: [...new Set(reaching.flatMap((d) => d.undecided))],
    lockOut,
    explicitActionsOnly:
      escapes.length === 0 && !denies.some((d) => coversLaterActions(d.statement)),
    denies: reaching.map((d) => d.statement),
    allows: policy.statements.filter((s) => s.effect === 'Allow'),
  };
};

/**
 * Whether a Deny also covers S3 actions AWS adds later: Action `*` or `s3:*`, or a NotAction none
 * of whose patterns is a wildcard that can match an `s3:` name (a literal exclusion such as
 * `s3:GetObject` names a known action only).
 */
const coversLaterActions = (statement: Statement): boolean => {
  const { kind, patterns } = statement.actions;
  if (kind === 'only') return patterns.some((p) => /^(\*|s3:\*)$/i.test(p));
  return !patterns.some((p) => {
    const literal = (/^[^*?]*/.exec(p)?.[0] ?? '').toLowerCase();
    return /[*?]/.test(p) && ('s3:'.startsWith(literal) || literal.startsWith('s3:'));
  });
};

const ESCAPES_SHOWN = 3;

/** Up to three escaping requests, the first box first (seeded values make it the plainest). */
const pickEscapes = (
  space: Space,
  boxes: readonly Box[],
  reaching: readonly StatementBoxes[],
): Escape[] => {
  const seen = new Set<string>();
  const result: Escape[] = [];
  for (const box of plainestFirst(boxes)) {
    const witness = witnessOf(space, box);
    const misses = reaching.map((d) => whyNotMatched(space, d, witness));
    const key = misses.map((miss) => miss.text).join('|');
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ counterexample: counterexampleOf(witness), misses });
    if (result.length >= ESCAPES_SHOWN) break;
  }
  return result;
};

export type { BucketFacts, Escape, Exemptions, Fence, FenceResult };
export { analyseFence, fenceStrings, ROOT_ACTIONS };
