import { atoms, compile, matches, type Pattern } from './automata.js';
import { and, entryHolds, hasVariable, type Tri } from './condition.js';
import type { ConditionEntry, Statement } from './document.js';
import { statementLabel } from './document.js';
import { type KeyDomain, type KeyValue, keyDomain } from './domains.js';
import { matchesAll, matchSet, serviceWildcard } from './elements.js';
import { DERIVED_PRINCIPAL_KEYS, type KeyFacts, keyFacts } from './keys.js';
import { LruCache } from './lru.js';
import {
  type Principal,
  principalApplies,
  principalDomain,
  principalKey,
  principalPatterns,
} from './principals.js';
import { S3_ACTIONS } from './s3-actions.generated.js';

/**
 * The request space a policy is judged on: its dimensions and their classes, built from every
 * pattern the policy (and the question asked of it) names, and each statement as a box in it.
 */

interface ActionClass {
  name: string;
  /** Every known action of the class (they answer every pattern alike). */
  members: string[];
  /** Which resources the class applies to in a bucket policy: b bucket, o object. */
  on: '' | 'b' | 'o';
}

type DimKind = 'principal' | 'action' | 'resource' | 'key';

interface Dim {
  kind: DimKind;
  /** `principal`, `action`, `resource`, or the lower-case condition key. */
  name: string;
  values: readonly unknown[];
  complete: boolean;
  facts?: KeyFacts;
}

interface SpaceSpec {
  partition: string;
  /** Policy variables are live (Version 2012-10-17). */
  variables: boolean;
  statements: readonly Statement[];
  /** Entries that define the question (approved networks, exemptions): their values split classes. */
  questionEntries: readonly ConditionEntry[];
  actions:
    | { kind: 's3'; separate: readonly string[] }
    /** `also`: further prefixes the endpoint may serve as far as the analyser knows. */
    | { kind: 'service'; prefix: string; also?: readonly string[] };
  resources: { kind: 'bucket'; arn: string } | { kind: 'any'; seeds: readonly string[] };
  /** Keys the scenario fixes (the endpoint a policy sits on, the bucket's account). */
  fixed: Readonly<Record<string, KeyValue>>;
  /** Service prefixes whose keys are taken as plain strings (an endpoint's own service). */
  keyPrefixes: readonly string[];
  seeds: Readonly<Record<string, readonly string[]>>;
  principalSeeds: readonly string[];
  /** Keys the question reads even when the policy does not name them (for counterexamples). */
  extraKeys: readonly string[];
  /** Resource patterns the question matches as ARNs (owners it trusts): their values split classes. */
  ownerPatterns?: readonly string[];
}

interface Space {
  dims: Dim[];
  index: ReadonlyMap<string, number>;
  spec: SpaceSpec;
}

interface StatementBoxes {
  statement: Statement;
  /** Requests the statement certainly matches. */
  under: bigint[];
  /** Requests it may match (unknown answers included). */
  over: bigint[];
  /** What the analyser could not decide in it, for the explanation. */
  undecided: string[];
  /**
   * An entry on a key or with an operator the analyser does not know: nothing is sure to match.
   * `under` still holds what the other elements match, so explanations can point at the entry.
   */
  blocked: boolean;
}

const ACTION_CASE = true;

// Sweeps repeat the same Action lists; grouping the 180 S3 actions by them is pure, so keep it.
const actionCache = new LruCache<string, ActionClass[]>(2_000);

// Class lists whose search hit its bound (merged or missing classes): matches on them are unknown.
const incompleteActions = new WeakSet<ActionClass[]>();

const actionClasses = (spec: SpaceSpec, patterns: readonly string[]): ActionClass[] => {
  const key = JSON.stringify([spec.actions, patterns]);
  let classes = actionCache.get(key);
  if (classes === undefined) {
    classes = groupActions(spec, patterns);
    actionCache.set(key, classes);
  }
  return classes;
};

const groupActions = (spec: SpaceSpec, patterns: readonly string[]): ActionClass[] => {
  if (spec.actions.kind === 'service') {
    const { prefix, also = [] } = spec.actions;
    const compiled = patterns.map((p) => compile(p, 'glob', ACTION_CASE) as Pattern);
    const domain = [prefix, ...also].map((p) => compile(`${p}:?*`, 'glob', ACTION_CASE) as Pattern);
    const found = atoms(compiled, domain, [`${prefix}:GetItem`, `${prefix}:Get`]);
    const classes = found.values.map((name): ActionClass => ({ name, members: [name], on: '' }));
    if (!found.complete) incompleteActions.add(classes);
    return classes;
  }
  const separate = new Set(spec.actions.separate.map((name) => name.toLowerCase()));
  const compiledActions = patterns.map((p) => compile(p, 'glob', ACTION_CASE) as Pattern);
  const groups = new Map<string, ActionClass>();
  for (const [short, on] of S3_ACTIONS) {
    const name = `s3:${short}`;
    const signature = compiledActions.map((p) => (matches(p, name) ? '1' : '0')).join('');
    for (const type of on === 'bo' ? (['b', 'o'] as const) : [on]) {
      const key = separate.has(name.toLowerCase()) ? `${name}|${type}` : `${signature}|${type}`;
      const group = groups.get(key);
      if (group) group.members.push(name);
      else groups.set(key, { name, members: [name], on: type === '' ? '' : type });
    }
  }
  // Counterexamples read best with everyday actions: classes holding them come first.
  const rank = (group: ActionClass) => {
    const index = group.members.findIndex((name) => PREFERRED.includes(name));
    return index < 0 ? PREFERRED.length : PREFERRED.indexOf(group.members[index] as string);
  };
  return [...groups.values()]
    .map((group) => {
      const preferred = group.members.find((name) => PREFERRED.includes(name));
      return preferred ? { ...group, name: preferred } : group;
    })
    .sort((a, b) => rank(a) - rank(b));
};

const PREFERRED = [
  's3:GetObject',
  's3:PutObject',
  's3:ListBucket',
  's3:DeleteObject',
  's3:GetBucketPolicy',
];

const resourceValues = (
  spec: SpaceSpec,
  patterns: readonly string[],
): { values: string[]; complete: boolean } => {
  // Each pattern as plain glob and as AWS documents Resource wildcards (within an ARN segment):
  // values matched by one reading only are classes of their own (see elements.ts); owner patterns
  // a question reads as ARNs split their classes too.
  const readings = patterns
    .filter((p) => !hasVariable(p, spec.variables))
    .flatMap((p) => [compile(p, 'glob'), compile(p, 'resource')]);
  const owners = (spec.ownerPatterns ?? []).map((p) => compile(p, 'arn'));
  const compiled = distinct([...readings, ...owners]);
  if (spec.resources.kind === 'any') {
    return atoms(compiled, [], spec.resources.seeds, realisticResource(spec.partition));
  }
  const { arn } = spec.resources;
  // Object keys are at least one character long (PutObject: Key, minimum length 1).
  const objects = compile(`${arn.replace(/[*?]/g, '')}/?*`, 'glob') as Pattern;
  const found = atoms(compiled, [objects], [`${arn}/key`]);
  return { values: [arn, ...found.values], complete: found.complete };
};

/** Patterns without repeats of one language (most readings of a pattern coincide). */
const distinct = (patterns: readonly (Pattern | undefined)[]): Pattern[] => {
  const seen = new Map<string, Pattern>();
  for (const pattern of patterns) {
    if (pattern === undefined) continue;
    const key = `${pattern.ignoreCase}${JSON.stringify(pattern.tokens)}`;
    if (!seen.has(key)) seen.set(key, pattern);
  }
  return [...seen.values()];
};

/**
 * A resource witness as a request could name it, when the patterns answer alike: an object key of
 * one character or more, and a bucket name that starts and ends with a letter or digit; last, an
 * object whose key is the witness (a wildcard read past colons matches what a key may hold).
 */
const realisticResource =
  (partition: string) =>
  (witness: string): string[] => {
    const keyed = witness.endsWith('/') ? `${witness}key` : witness;
    const named = keyed.replace(/^(arn:[^:]*:s3:::)([^/]*)/, (_, head: string, name: string) => {
      const start = /^[a-z0-9]/.test(name) ? '' : 'exfil';
      const end = /[a-z0-9]$/.test(name) ? '' : 'exfil';
      return `${head}${start}${name}${end}`;
    });
    const inKey = `arn:${partition}:s3:::exfil-bucket/${keyed}`;
    // No ARN has an empty partition or service, and no bucket name a colon: such a witness
    // reads better as another bucket's object key.
    const head = /^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:/.test(named);
    const bucket = /^arn:[^:]*:s3:::([^/]*)/.exec(named)?.[1];
    return !head || bucket?.includes(':') ? [inKey, named, keyed] : [named, keyed, inKey];
  };

const buildSpace = (spec: SpaceSpec): Space => {
  const entries = [...spec.statements.flatMap((s) => s.conditions), ...spec.questionEntries];
  const actionPatterns = spec.statements.flatMap((s) => s.actions.patterns);
  const resourcePatterns = spec.statements.flatMap((s) => s.resources.patterns);
  const principals = principalDomain(
    spec.partition,
    principalPatterns(
      spec.statements.map((s) => s.principal),
      entries,
      spec.variables,
    ),
    spec.principalSeeds,
  );
  const actions = actionClasses(spec, actionPatterns);
  const resources = resourceValues(spec, resourcePatterns);
  const dims: Dim[] = [
    {
      kind: 'principal',
      name: 'principal',
      values: principals.values,
      complete: principals.complete,
    },
    {
      kind: 'action',
      name: 'action',
      values: actions,
      complete: !incompleteActions.has(actions),
    },
    {
      kind: 'resource',
      name: 'resource',
      values: resources.values,
      complete: resources.complete,
    },
  ];
  const keys = new Set<string>([
    ...entries.map((e) => e.keyLower),
    ...Object.keys(spec.fixed),
    ...spec.extraKeys,
  ]);
  for (const key of [...keys].sort()) {
    if (DERIVED_PRINCIPAL_KEYS.has(key)) continue;
    const fixed = Object.hasOwn(spec.fixed, key) ? spec.fixed[key] : undefined;
    if (fixed !== undefined) {
      dims.push({
        kind: 'key',
        name: key,
        values: [fixed],
        complete: true,
        facts: { type: 'string' },
      });
      continue;
    }
    const facts = keyFacts(key, spec.keyPrefixes);
    if (facts === undefined) continue;
    const domain: KeyDomain = keyDomain(
      facts,
      entries.filter((e) => e.keyLower === key),
      spec.variables,
      (Object.hasOwn(spec.seeds, key) ? spec.seeds[key] : undefined) ?? [],
    );
    dims.push({ kind: 'key', name: key, values: domain.values, complete: domain.complete, facts });
  }
  return { dims, index: new Map(dims.map((dim, i) => [dim.name, i])), spec };
};

/** Operators whose classes a key's domain keeps exact. */
const exactFor = (dim: Dim, entry: ConditionEntry): boolean => {
  if (entry.base === 'Null') return true;
  // Binary keys compare with base-64 decoded values: no modelled key holds binary.
  if (entry.base === 'BinaryEquals') return false;
  if (!dim.complete) return false;
  switch (dim.facts?.type) {
    case 'ip':
      return entry.base === 'IpAddress' || entry.base === 'NotIpAddress';
    case 'numeric':
    case 'date':
      return false;
    default:
      return entry.base !== 'IpAddress' && entry.base !== 'NotIpAddress';
  }
};

const describeEntry = (entry: ConditionEntry): string =>
  `${entry.operator} ${entry.key} ${JSON.stringify(entry.values.length === 1 ? entry.values[0] : entry.values)}`;

/**
 * The dimension of a condition key. The analyser's own dimensions (principal, action, resource)
 * share the index with the keys' names, so a key spelled like one of them (`Resource`) is no key
 * vpce-guard knows, not that dimension.
 */
const keyDim = (space: Space, keyLower: string): Dim | undefined => {
  const dim = space.dims[space.index.get(keyLower) ?? -1];
  return dim?.kind === 'key' ? dim : undefined;
};

/** Whether a condition entry's key has a dimension (principal-describing keys: the principal's). */
const conditionDimKnown = (space: Space, keyLower: string): boolean =>
  DERIVED_PRINCIPAL_KEYS.has(keyLower) || keyDim(space, keyLower) !== undefined;

/** Why an entry cannot be decided, or undefined when it can. */
/**
 * A Boolean key compared by an operator of another type (StringEquals aws:SecureTransport), or
 * Bool on a key of another type. The Boolean operators are documented for Boolean keys; what a
 * mixed comparison does is not documented, so present values answer unknown.
 */
const typeMismatch = (entry: ConditionEntry): boolean => {
  const type = keyFacts(entry.keyLower)?.type;
  return (
    entry.base !== 'Null' && type !== undefined && (entry.base === 'Bool') !== (type === 'bool')
  );
};

const undecidedReason = (space: Space, entry: ConditionEntry): string | undefined => {
  if (entry.base === undefined) {
    return `${entry.operator} is not an IAM condition operator`;
  }
  if (typeMismatch(entry)) {
    return entry.base === 'Bool'
      ? `${describeEntry(entry)} compares a key that is not Boolean with Bool, which AWS does not document`
      : `${describeEntry(entry)} compares a Boolean key with a ${entry.base} operator, which AWS does not document (use Bool)`;
  }
  if (entry.values.some((value) => hasVariable(value, space.spec.variables))) {
    return `${describeEntry(entry)} uses a policy variable whose value the caller or request decides`;
  }
  if (DERIVED_PRINCIPAL_KEYS.has(entry.keyLower)) {
    return space.dims[0]?.complete
      ? undefined
      : `${describeEntry(entry)}: the principals the policy names are too many patterns to tell apart`;
  }
  const dim = keyDim(space, entry.keyLower);
  if (dim === undefined) return `${entry.key} is not a condition key vpce-guard knows`;
  if (!exactFor(dim, entry))
    return `${describeEntry(entry)} compares values vpce-guard does not model`;
  return undefined;
};

const entryOn = (dim: Dim, entry: ConditionEntry, value: unknown, variables: boolean): Tri => {
  // A principal class search that hit its bound may have merged or missed classes: a principal
  // value then stands for no known set of principals.
  if (dim.kind === 'principal') {
    if (!dim.complete) return undefined;
    const values = principalKey(value as Principal, entry.keyLower);
    if (values !== null && typeMismatch(entry)) return undefined;
    return entryHolds(entry, values, variables);
  }
  const result = entryHolds(entry, value as KeyValue, variables);
  if (value !== null && typeMismatch(entry)) return undefined;
  if (value === null || exactFor(dim, entry)) return result;
  // Present values of a key whose classes this operator does not respect: unknown.
  return undefined;
};

/** A statement as the boxes it surely and possibly matches. */
const statementBoxes = (space: Space, statement: Statement): StatementBoxes => {
  const { variables } = space.spec;
  const undecided: string[] = [];
  const under: bigint[] = [];
  const over: bigint[] = [];
  const byDim = new Map<string, ConditionEntry[]>();
  let unknownKey = false;
  for (const entry of statement.conditions) {
    const reason = undecidedReason(space, entry);
    if (reason !== undefined) undecided.push(`${statementLabel(statement)}: ${reason}`);
    const dimName = DERIVED_PRINCIPAL_KEYS.has(entry.keyLower) ? 'principal' : entry.keyLower;
    if (!conditionDimKnown(space, entry.keyLower) || entry.base === undefined) {
      unknownKey = true;
      continue;
    }
    byDim.set(dimName, [...(byDim.get(dimName) ?? []), entry]);
  }
  for (const dim of space.dims) {
    let u = 0n;
    let o = 0n;
    dim.values.forEach((value, index) => {
      const parts: Tri[] = [];
      if (dim.kind === 'principal') {
        const everyone = statement.principal.kind === 'everyone';
        parts.push(
          everyone || dim.complete
            ? principalApplies(statement.principal, value as Principal)
            : undefined,
        );
      }
      // Classes of a search that hit its bound answer for no known set of values, except `*`.
      if (dim.kind === 'action') {
        parts.push(
          dim.complete || matchesAll(statement.actions)
            ? matchSet(statement.actions, (value as ActionClass).name, ACTION_CASE, false)
            : undefined,
        );
      }
      if (dim.kind === 'resource') {
        parts.push(
          dim.complete || matchesAll(statement.resources)
            ? matchSet(statement.resources, value as string, false, variables, true)
            : undefined,
        );
      }
      for (const entry of byDim.get(dim.name) ?? [])
        parts.push(entryOn(dim, entry, value, variables));
      const result = and(parts);
      if (result === true) u |= 1n << BigInt(index);
      if (result !== false) o |= 1n << BigInt(index);
    });
    under.push(u);
    over.push(o);
  }
  if (statement.principal.kind === 'unspecified') {
    undecided.push(`${statementLabel(statement)} names no Principal`);
  }
  if (statement.resources.patterns.some((p) => hasVariable(p, variables))) {
    undecided.push(`${statementLabel(statement)}: its Resource uses a policy variable`);
  }
  if (statement.resources.patterns.some(serviceWildcard)) {
    undecided.push(
      `${statementLabel(statement)}: its Resource has a wildcard in an ARN's service segment, which AWS does not allow`,
    );
  }
  const tooMany = (element: string) =>
    `${statementLabel(statement)}: the ${element} patterns of the policy are too many to tell apart`;
  if (!space.dims[1]?.complete && !matchesAll(statement.actions)) undecided.push(tooMany('Action'));
  if (!space.dims[2]?.complete && !matchesAll(statement.resources)) {
    undecided.push(tooMany('Resource'));
  }
  return { statement, under, over, undecided, blocked: unknownKey };
};

export type { ActionClass, Dim, Space, SpaceSpec, StatementBoxes };
export { buildSpace, conditionDimKnown, describeEntry, entryOn, statementBoxes };
