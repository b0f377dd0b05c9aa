import type { Counterexample } from '../model/compliance.js';
import { type Box, first, full, intersect, isEmpty, subtract } from './boxes.js';
import { and, type Tri } from './condition.js';
import type { ConditionEntry, Statement } from './document.js';
import { statementLabel } from './document.js';
import type { KeyValue } from './domains.js';
import { resourceDoubt } from './elements.js';
import { canonicalKey, DERIVED_PRINCIPAL_KEYS } from './keys.js';
import { describePrincipal, type Principal, principalKey } from './principals.js';
import {
  type ActionClass,
  conditionDimKnown,
  type Dim,
  describeEntry,
  entryOn,
  type Space,
  type StatementBoxes,
} from './space.js';

/**
 * The containment questions the rules ask, on a built space: which requests of a target set no
 * Deny covers (bucket policies), and which requests an endpoint policy allows outside a bounded set
 * (endpoint policies). Answers are boxes of escaping requests; each yields one concrete request.
 */

/** A filter on one dimension's classes; a target box is the classes every filter keeps. */
interface Filter {
  dim: string;
  keep: (value: unknown, dim: Dim) => boolean;
}

// A filter is asked of every class once per space: questions reuse the same filter objects.
const filterSets = new WeakMap<Space, WeakMap<Filter, bigint>>();

const filterSet = (space: Space, dim: Dim, filter: Filter): bigint => {
  let known = filterSets.get(space);
  if (known === undefined) {
    known = new WeakMap();
    filterSets.set(space, known);
  }
  let set = known.get(filter);
  if (set === undefined) {
    set = 0n;
    for (const [index, value] of dim.values.entries()) {
      if (filter.keep(value, dim)) set |= 1n << BigInt(index);
    }
    known.set(filter, set);
  }
  return set;
};

/** The box of classes passing every filter (a dimension without filters is whole). */
const boxOf = (space: Space, filters: readonly Filter[]): Box =>
  space.dims.map((dim) => {
    let set = (1n << BigInt(dim.values.length)) - 1n;
    for (const filter of filters) {
      if (filter.dim === dim.name) set &= filterSet(space, dim, filter);
    }
    return set;
  });

/** Keeps the classes on which a (question) entry holds, or fails when `holds` is false. */
const entryFilter = (entry: ConditionEntry, holds: boolean): Filter => ({
  dim: DERIVED_PRINCIPAL_KEYS.has(entry.keyLower) ? 'principal' : entry.keyLower,
  keep: (value, dim) => (entryOn(dim, entry, value, false) === true) === holds,
});

/** Filters that hold when none of the entries holds (a request outside every listed set). */
const noneOf = (entries: readonly ConditionEntry[]): Filter[] =>
  entries.map((entry) => entryFilter(entry, false));

/**
 * Who and where a request comes from, split so that a counterexample is a request AWS can
 * really send: endpoint-only keys exist exactly when aws:SourceIp does not (global condition keys
 * reference, "Availability"), except aws:VpceOrgID/aws:VpceOrgPaths, which an endpoint of an
 * account outside any organization does not carry; principal-describing keys are absent for
 * anonymous callers and AWS service principals.
 */
const worlds = (space: Space): Filter[][] => {
  const endpointDims = space.dims.filter((dim) => dim.facts?.endpointOnly);
  const principalDims = space.dims.filter((dim) => dim.kind === 'key' && dim.facts?.principal);
  const present = (value: unknown) => value !== null;
  const absent = (value: unknown) => value === null;
  const isIam = (value: unknown) => (value as Principal).kind === 'iam';
  const throughEndpoint = (inOrganization: boolean): Filter[] => [
    ...endpointDims.map((dim) => ({
      dim: dim.name,
      keep: dim.facts?.orgMember && !inOrganization ? absent : present,
    })),
    { dim: 'aws:sourceip', keep: absent },
  ];
  const network: Filter[][] = [
    [
      ...endpointDims.map((dim) => ({ dim: dim.name, keep: absent })),
      { dim: 'aws:sourceip', keep: present },
    ],
    throughEndpoint(true),
    ...(endpointDims.some((dim) => dim.facts?.orgMember) ? [throughEndpoint(false)] : []),
  ];
  const who: Filter[][] = [
    [{ dim: 'principal', keep: isIam }],
    [
      { dim: 'principal', keep: (value) => !isIam(value) },
      ...principalDims.map((dim) => ({ dim: dim.name, keep: absent })),
    ],
  ];
  const viaDims = space.dims.filter((dim) => dim.facts?.viaService);
  const via: Filter[][] =
    viaDims.length === 0
      ? [[]]
      : [
          viaDims.map((dim) => ({ dim: dim.name, keep: absent })),
          [
            ...viaDims.map((dim) => ({ dim: dim.name, keep: present })),
            { dim: 'aws:viaawsservice', keep: (value) => JSON.stringify(value) === '["true"]' },
          ],
        ];
  return network.flatMap((n) => who.flatMap((w) => via.map((v) => [...n, ...w, ...v])));
};

/** The concrete request a box stands for: the first (preferred) class of every dimension. */
interface Witness {
  principal: Principal;
  action: ActionClass;
  resource: string;
  keys: Map<string, KeyValue>;
}

const witnessOf = (space: Space, box: Box): Witness => {
  const pick = (index: number): unknown => {
    const dim = space.dims[index] as Dim;
    return dim.values[first(box[index] as bigint)];
  };
  const keys = new Map<string, KeyValue>();
  space.dims.forEach((dim, index) => {
    if (dim.kind === 'key') keys.set(dim.name, pick(index) as KeyValue);
  });
  return {
    principal: pick(0) as Principal,
    action: pick(1) as ActionClass,
    resource: pick(2) as string,
    keys,
  };
};

const OPAQUE_TEXT = '(any value)';

const contextValue = (value: KeyValue): string | readonly string[] | null => {
  if (value === null) return null;
  const shown = value.map((v) => (v.startsWith('\u0000') ? OPAQUE_TEXT : v));
  return shown.length === 1 ? (shown[0] as string) : shown;
};

/** The counterexample as the JSON shape: every key the decision depends on. */
const counterexampleOf = (
  witness: Witness,
  extraNullKeys: readonly string[] = [],
): Counterexample => {
  const context: Record<string, string | readonly string[] | null> = {};
  for (const key of ['aws:principalarn', 'aws:principalaccount', 'aws:principalisawsservice']) {
    context[canonicalKey(key)] = contextValue(principalKey(witness.principal, key));
  }
  if (witness.principal.kind === 'service') {
    context['aws:PrincipalServiceName'] = witness.principal.name;
  }
  for (const key of extraNullKeys) context[canonicalKey(key)] = null;
  for (const [key, value] of [...witness.keys].sort(([a], [b]) => a.localeCompare(b))) {
    context[canonicalKey(key)] = contextValue(value);
  }
  return {
    principal:
      witness.principal.kind === 'iam'
        ? (witness.principal.session ?? witness.principal.arn)
        : witness.principal.kind === 'service'
          ? witness.principal.name
          : '*',
    action: witness.action.name,
    resource: witness.resource,
    context,
  };
};

/** Why a statement misses a request: which element fails, in words, and what kind it is. */
interface Miss {
  kind: 'principal' | 'action' | 'resource' | 'condition' | 'undecided';
  statement: Statement;
  text: string;
  /** The condition entry that fails, for a condition or undecided miss. */
  entry?: ConditionEntry;
}

/** The first element of a statement that does not apply to the witness. */
const whyNotMatched = (space: Space, boxes: StatementBoxes, witness: Witness): Miss => ({
  statement: boxes.statement,
  ...missOf(space, boxes, witness),
});

const missOf = (space: Space, boxes: StatementBoxes, witness: Witness): Omit<Miss, 'statement'> => {
  const { statement } = boxes;
  const label = statementLabel(statement);
  const dims = space.dims;
  const classIndex = (dimIndex: number, value: unknown) =>
    (dims[dimIndex] as Dim).values.indexOf(value);
  const bit = (boxesOf: bigint[], dimIndex: number, value: unknown) =>
    ((boxesOf[dimIndex] as bigint) >> BigInt(classIndex(dimIndex, value))) & 1n;
  const fails = (dimIndex: number, value: unknown) => bit(boxes.under, dimIndex, value) === 0n;
  // Not surely matched but possibly, in a dimension whose class search hit its bound (the element's
  // answer is unknown): saying the element excludes the value would be a false claim about it.
  const unsure = (dimIndex: number, value: unknown) =>
    !(dims[dimIndex] as Dim).complete && bit(boxes.over, dimIndex, value) === 1n;
  const cannotTell = (element: string, subject: string): Omit<Miss, 'statement'> => ({
    kind: 'undecided',
    text: `${label}: whether its ${element} covers ${subject} cannot be decided (too many wildcard patterns to tell apart)`,
  });
  if (fails(0, witness.principal) && !conditionFailsOnPrincipal(statement, space, witness)) {
    const element = statement.principal.kind === 'not' ? 'NotPrincipal' : 'Principal';
    const subject = describePrincipal(witness.principal);
    if (unsure(0, witness.principal)) {
      return cannotTell(element, subject);
    }
    return { kind: 'principal', text: `${label} does not apply to ${subject} (its ${element})` };
  }
  if (fails(1, witness.action)) {
    const element = statement.actions.kind === 'only' ? 'Action' : 'NotAction';
    if (unsure(1, witness.action)) {
      return cannotTell(element, witness.action.name);
    }
    return {
      kind: 'action',
      text: `${label} does not cover ${witness.action.name} (its ${element})`,
    };
  }
  if (fails(2, witness.resource)) {
    if (unsure(2, witness.resource)) {
      return cannotTell('Resource', witness.resource);
    }
    // Possibly matched: the element's own answer is unknown, no other part reads this dimension.
    if (bit(boxes.over, 2, witness.resource) === 1n) {
      const element = statement.resources.kind === 'only' ? 'Resource' : 'NotResource';
      const why = resourceDoubt(statement.resources, witness.resource, space.spec.variables);
      return {
        kind: 'undecided',
        text: `${label}: whether its ${element} covers ${witness.resource} cannot be decided (${why})`,
      };
    }
    return { kind: 'resource', text: `${label} does not cover ${witness.resource}` };
  }
  for (const entry of statement.conditions) {
    if (entry.base === undefined) {
      return {
        kind: 'undecided',
        entry,
        text: `${label}: ${entry.operator} is not an IAM condition operator (misspelled?), so nothing shows the Deny applies`,
      };
    }
    if (!conditionDimKnown(space, entry.keyLower)) {
      return {
        kind: 'undecided',
        entry,
        text: `${label}: ${entry.key} is not a condition key vpce-guard knows (misspelled?), so nothing shows the Deny applies`,
      };
    }
    const holds = conditionTri(space, entry, witness);
    if (holds === true) continue;
    const value = DERIVED_PRINCIPAL_KEYS.has(entry.keyLower)
      ? principalKey(witness.principal, entry.keyLower)
      : (witness.keys.get(entry.keyLower) ?? null);
    const opaque = value?.some((v) => v.startsWith('\u0000')) ?? false;
    const shown =
      value === null
        ? `a request without ${entry.key}`
        : `${entry.key} ${JSON.stringify(contextValue(value))}`;
    return holds === undefined
      ? {
          kind: 'undecided',
          entry,
          text: opaque
            ? `${label}: whether ${describeEntry(entry)} holds cannot be decided (vpce-guard does not compare numbers or dates)`
            : `${label}: whether ${describeEntry(entry)} holds for ${shown} cannot be decided`,
        }
      : {
          kind: 'condition',
          entry,
          text: `${label}: ${describeEntry(entry)} is false for ${shown}`,
        };
  }
  return { kind: 'undecided', text: `${label} cannot be shown to apply` };
};

const conditionTri = (space: Space, entry: ConditionEntry, witness: Witness): Tri => {
  if (entry.base === undefined) return undefined;
  if (DERIVED_PRINCIPAL_KEYS.has(entry.keyLower)) {
    return entryOn(space.dims[0] as Dim, entry, witness.principal, space.spec.variables);
  }
  const index = space.index.get(entry.keyLower);
  if (index === undefined) return undefined;
  return entryOn(
    space.dims[index] as Dim,
    entry,
    witness.keys.get(entry.keyLower) ?? null,
    space.spec.variables,
  );
};

const conditionFailsOnPrincipal = (statement: Statement, space: Space, witness: Witness): boolean =>
  and(
    statement.conditions
      .filter((entry) => DERIVED_PRINCIPAL_KEYS.has(entry.keyLower))
      .map((entry) => conditionTri(space, entry, witness)),
  ) !== true;

/**
 * Escaping boxes, plainest first: a box whose preferred values (seeded: an outside user, the
 * internet, a foreign endpoint) are all in it shows the escape that needs the least explaining.
 */
const plainestFirst = (boxes: readonly Box[]): Box[] => {
  const score = (box: Box) => box.reduce((sum, set) => sum + first(set), 0);
  return [...boxes].sort((a, b) => score(a) - score(b));
};

/** Requests of `targets` that no statement of `covers` surely matches. */
const uncovered = (targets: readonly Box[], covers: readonly StatementBoxes[]): Box[] =>
  subtract(
    targets,
    covers.filter((boxes) => !boxes.blocked).map((boxes) => boxes.under),
  );

/** Requests of `targets` that some statement of `allows` may match. */
const allowed = (targets: readonly Box[], allows: readonly StatementBoxes[]): Box[] =>
  allows.flatMap((boxes) =>
    targets.map((target) => intersect(target, boxes.over)).filter((box) => !isEmpty(box)),
  );

const wholeSpace = (space: Space): Box => space.dims.map((dim) => full(dim.values.length));

export type { Filter, Miss, Witness };
export {
  allowed,
  boxOf,
  counterexampleOf,
  entryFilter,
  noneOf,
  plainestFirst,
  uncovered,
  wholeSpace,
  whyNotMatched,
  witnessOf,
  worlds,
};
