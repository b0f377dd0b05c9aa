import { PolicyParseError } from '../errors.js';
import { isRecord } from '../util/json.js';
import { type DuplicateKey, duplicateError, duplicateKeys, insideAllow } from './duplicate-keys.js';
import { LruCache } from './lru.js';

/**
 * The normalised form of an IAM policy document. Every shape IAM accepts for one element (a string
 * or a list, a single statement or a list of them, `"*"` or `{"AWS": "*"}`) becomes one shape here,
 * so the questions in the other modules never look at raw JSON.
 */

type Effect = 'Allow' | 'Deny';

type PrincipalType = 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';

interface PrincipalValue {
  type: PrincipalType;
  /** `*`, an ARN, an account id, a service name (`s3.amazonaws.com`), an identity provider. */
  value: string;
}

/**
 * Who a statement is about. `everyone` is `"*"` or `{"AWS": "*"}`; `not` is `NotPrincipal` (every
 * principal except those listed); `unspecified` is a statement without either element (identity
 * policies, or a malformed resource policy).
 */
type PrincipalSet =
  | { kind: 'everyone' }
  | { kind: 'only'; principals: PrincipalValue[] }
  | { kind: 'not'; principals: PrincipalValue[] }
  | { kind: 'unspecified' };

/** `Action`/`Resource` (`only`) or `NotAction`/`NotResource` (`except`), as wildcard patterns. */
interface MatchSet {
  kind: 'only' | 'except';
  patterns: string[];
}

type BaseOperator =
  | 'StringEquals'
  | 'StringNotEquals'
  | 'StringEqualsIgnoreCase'
  | 'StringNotEqualsIgnoreCase'
  | 'StringLike'
  | 'StringNotLike'
  | 'NumericEquals'
  | 'NumericNotEquals'
  | 'NumericLessThan'
  | 'NumericLessThanEquals'
  | 'NumericGreaterThan'
  | 'NumericGreaterThanEquals'
  | 'DateEquals'
  | 'DateNotEquals'
  | 'DateLessThan'
  | 'DateLessThanEquals'
  | 'DateGreaterThan'
  | 'DateGreaterThanEquals'
  | 'Bool'
  | 'BinaryEquals'
  | 'IpAddress'
  | 'NotIpAddress'
  | 'ArnEquals'
  | 'ArnLike'
  | 'ArnNotEquals'
  | 'ArnNotLike'
  | 'Null';

const BASE_OPERATORS: readonly BaseOperator[] = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
];

type SetQualifier = 'ForAnyValue' | 'ForAllValues';

/**
 * One `operator: { key: values }` pair of a Condition block. Entries of one statement are ANDed;
 * the values of one entry are ORed (for negated operators: "none of them").
 */
interface ConditionEntry {
  /** The operator as written, e.g. `ForAllValues:StringNotEqualsIfExists`. */
  operator: string;
  /** `undefined` for an operator IAM does not define: it never matches (see condition.ts). */
  base: BaseOperator | undefined;
  qualifier: SetQualifier | undefined;
  ifExists: boolean;
  /** The key as written (for messages). */
  key: string;
  /** Lower-case key: IAM condition keys are case-insensitive. */
  keyLower: string;
  /** Values as strings; JSON booleans and numbers become their text (`false` → `"false"`). */
  values: string[];
}

interface Statement {
  /** Zero-based position in the document, used to name statements without a Sid. */
  index: number;
  sid: string | undefined;
  effect: Effect;
  principal: PrincipalSet;
  actions: MatchSet;
  resources: MatchSet;
  conditions: ConditionEntry[];
}

interface PolicyDocument {
  version: string | undefined;
  id: string | undefined;
  statements: Statement[];
}

const describeJson = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
};

const stringList = (raw: unknown, path: string): string[] => {
  const items = Array.isArray(raw) ? raw : [raw];
  if (items.length === 0) throw new PolicyParseError('must not be an empty list', path);
  return items.map((item, index) => {
    if (typeof item !== 'string' || item.length === 0) {
      const where = Array.isArray(raw) ? `${path}[${index}]` : path;
      throw new PolicyParseError(`expected a non-empty string, got ${describeJson(item)}`, where);
    }
    return item;
  });
};

const PRINCIPAL_TYPES: readonly PrincipalType[] = ['AWS', 'Service', 'Federated', 'CanonicalUser'];

const parsePrincipalValues = (raw: unknown, path: string): PrincipalValue[] | 'everyone' => {
  if (raw === '*') return 'everyone';
  if (!isRecord(raw)) {
    throw new PolicyParseError(
      `expected "*" or an object such as {"AWS": [...]}, got ${describeJson(raw)}`,
      path,
    );
  }
  const principals: PrincipalValue[] = [];
  for (const [name, values] of Object.entries(raw)) {
    // Spelled as the Principal element reference spells them: another case is no documented type.
    const type = PRINCIPAL_TYPES.find((candidate) => candidate === name);
    if (!type) {
      throw new PolicyParseError(
        `unknown principal type "${name}" (expected ${PRINCIPAL_TYPES.join(', ')})`,
        path,
      );
    }
    for (const value of stringList(values, `${path}.${name}`)) principals.push({ type, value });
  }
  if (principals.length === 0) throw new PolicyParseError('names no principal', path);
  // `{"AWS": "*"}` is everyone; a list that includes it is everyone as well.
  return principals.some((p) => p.type === 'AWS' && p.value === '*') ? 'everyone' : principals;
};

const parsePrincipal = (statement: Record<string, unknown>, path: string): PrincipalSet => {
  // Keys holding `undefined` (objects built in code, not JSON) count as absent.
  const hasPrincipal = statement.Principal !== undefined;
  const hasNot = statement.NotPrincipal !== undefined;
  if (hasPrincipal && hasNot) {
    throw new PolicyParseError('has both Principal and NotPrincipal', path);
  }
  if (hasPrincipal) {
    const parsed = parsePrincipalValues(statement.Principal, `${path}.Principal`);
    return parsed === 'everyone' ? { kind: 'everyone' } : { kind: 'only', principals: parsed };
  }
  if (hasNot) {
    const parsed = parsePrincipalValues(statement.NotPrincipal, `${path}.NotPrincipal`);
    // NotPrincipal "*" excludes everybody: the statement applies to no one.
    return parsed === 'everyone'
      ? { kind: 'only', principals: [] }
      : { kind: 'not', principals: parsed };
  }
  return { kind: 'unspecified' };
};

const parseMatchSet = (
  statement: Record<string, unknown>,
  name: 'Action' | 'Resource',
  path: string,
): MatchSet => {
  const notName = `Not${name}`;
  const hasOnly = statement[name] !== undefined;
  const hasExcept = statement[notName] !== undefined;
  if (hasOnly && hasExcept) throw new PolicyParseError(`has both ${name} and ${notName}`, path);
  if (!hasOnly && !hasExcept)
    throw new PolicyParseError(`has neither ${name} nor ${notName}`, path);
  return hasOnly
    ? { kind: 'only', patterns: stringList(statement[name], `${path}.${name}`) }
    : { kind: 'except', patterns: stringList(statement[notName], `${path}.${notName}`) };
};

const parseOperator = (
  operator: string,
  path: string,
): Pick<ConditionEntry, 'base' | 'qualifier' | 'ifExists'> => {
  let rest = operator;
  let qualifier: SetQualifier | undefined;
  const colon = rest.indexOf(':');
  // Operators are read as the condition operator reference spells them: it gives no case rule, so
  // another spelling (`stringnotequals`) is no documented operator and decides nothing.
  if (colon >= 0) {
    const prefix = rest.slice(0, colon);
    if (prefix === 'ForAnyValue') qualifier = 'ForAnyValue';
    else if (prefix === 'ForAllValues') qualifier = 'ForAllValues';
    else throw new PolicyParseError(`unknown set operator prefix "${prefix}"`, path);
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const base = BASE_OPERATORS.find((candidate) => candidate === rest);
  // `Null` takes no IfExists: "NullIfExists" is not an operator.
  return { base: base === 'Null' && ifExists ? undefined : base, qualifier, ifExists };
};

const conditionValues = (raw: unknown, path: string): string[] => {
  const items = Array.isArray(raw) ? raw : [raw];
  if (items.length === 0) throw new PolicyParseError('must not be an empty list', path);
  return items.map((item) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'boolean' || typeof item === 'number') return String(item);
    throw new PolicyParseError(
      `condition values must be strings, booleans or numbers, got ${describeJson(item)}`,
      path,
    );
  });
};

const parseConditions = (raw: unknown, path: string): ConditionEntry[] => {
  if (raw === undefined) return [];
  if (!isRecord(raw))
    throw new PolicyParseError(`expected an object, got ${describeJson(raw)}`, path);
  const entries: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(raw)) {
    const operatorPath = `${path}.${operator}`;
    if (!isRecord(block)) {
      throw new PolicyParseError(
        `expected an object of condition keys, got ${describeJson(block)}`,
        operatorPath,
      );
    }
    const parsed = parseOperator(operator, operatorPath);
    for (const [key, values] of Object.entries(block)) {
      entries.push({
        operator,
        ...parsed,
        key,
        keyLower: key.toLowerCase(),
        values: conditionValues(values, `${operatorPath}.${key}`),
      });
    }
  }
  return entries;
};

const parseEffect = (raw: unknown, path: string): Effect => {
  if (raw === 'Allow' || raw === 'Deny') return raw;
  throw new PolicyParseError(`Effect must be "Allow" or "Deny", got ${describeJson(raw)}`, path);
};

const optionalString = (raw: unknown, path: string): string | undefined => {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string')
    throw new PolicyParseError(`expected a string, got ${describeJson(raw)}`, path);
  return raw;
};

const parseStatement = (raw: unknown, index: number, path: string): Statement => {
  if (!isRecord(raw))
    throw new PolicyParseError(`expected an object, got ${describeJson(raw)}`, path);
  return {
    index,
    sid: optionalString(raw.Sid, `${path}.Sid`),
    effect: parseEffect(raw.Effect, `${path}.Effect`),
    principal: parsePrincipal(raw, path),
    actions: parseMatchSet(raw, 'Action', path),
    resources: parseMatchSet(raw, 'Resource', path),
    conditions: parseConditions(raw.Condition, `${path}.Condition`),
  };
};

/**
 * Parses a policy document given as JSON text (bucket `policyText`, endpoint `policyDocument`,
 * pretty-printed or not) or as an already parsed object. Throws `PolicyParseError` with the path of
 * the first problem.
 */
// Several rules judge the same bucket or endpoint policy text in one scan; parse each text once.
// Parsed documents are never mutated, so sharing them is safe.
const parsedCache = new LruCache<string, PolicyDocument>(2_000);

const parsePolicy = (input: unknown): PolicyDocument => {
  if (typeof input !== 'string') return parsePolicyDocument(input);
  const cached = parsedCache.get(input);
  if (cached) return cached;
  const parsed = parsePolicyDocument(input);
  parsedCache.set(input, parsed);
  return parsed;
};

const parsePolicyDocument = (input: unknown): PolicyDocument => {
  let raw = input;
  if (typeof input === 'string') {
    if (input.trim() === '') throw new PolicyParseError('the document is empty');
    try {
      raw = JSON.parse(input);
    } catch (error) {
      throw new PolicyParseError('the document is not valid JSON', undefined, { cause: error });
    }
  }
  if (!isRecord(raw))
    throw new PolicyParseError(`expected a JSON object, got ${describeJson(raw)}`);
  if (raw.Statement === undefined) throw new PolicyParseError('the document has no Statement');
  const statementsRaw = raw.Statement;
  const list = Array.isArray(statementsRaw) ? statementsRaw : [statementsRaw];
  const single = !Array.isArray(statementsRaw);
  const parsed: PolicyDocument = {
    version: optionalString(raw.Version, 'Version'),
    id: optionalString(raw.Id, 'Id'),
    statements: list.map((statement, index) =>
      parseStatement(statement, index, single ? 'Statement' : `Statement[${index}]`),
    ),
  };
  if (typeof input === 'string') {
    const duplicates = duplicateKeys(input).filter((d) => !NAMES_ONLY.has(d.key));
    if (duplicates.length > 0) duplicatesOf.set(parsed, duplicates);
    const deciding = duplicates.find((d) => !insideAllow(d.path, parsed.statements, single));
    if (deciding !== undefined) throw duplicateError(deciding);
  }
  return parsed;
};

/**
 * Keys a policy text repeats within one object. `JSON.parse` keeps the last of them, but AWS
 * documents no reading of such a policy (first, last or merged), so which statement AWS evaluates
 * cannot be decided: the parse fails. One exception: a repeat inside a statement that the
 * last-wins reading takes for an Allow is only kept here. A bucket fence never counts an Allow
 * (and any other reading of it can only deny more), as the bucket-policy templates read it too;
 * rules where Allows count (endpoint policies) ask `duplicateKeyError`. Sid and Id name, they
 * never decide.
 */
const duplicatesOf = new WeakMap<PolicyDocument, readonly DuplicateKey[]>();

const NAMES_ONLY = new Set(['Sid', 'Id']);

/** The first key the policy text repeats within one object (inside an Allow), as an error. */
const duplicateKeyError = (policy: PolicyDocument): PolicyParseError | undefined => {
  const [first] = duplicatesOf.get(policy) ?? [];
  return first === undefined ? undefined : duplicateError(first);
};

/** How annotations name a statement: its Sid when it has one, else its position (1-based). */
const statementLabel = (statement: Statement): string =>
  statement.sid !== undefined && statement.sid !== ''
    ? `statement "${statement.sid}"`
    : `statement #${statement.index + 1}`;

export type {
  BaseOperator,
  ConditionEntry,
  Effect,
  MatchSet,
  PolicyDocument,
  PrincipalSet,
  PrincipalType,
  PrincipalValue,
  SetQualifier,
  Statement,
};
export { BASE_OPERATORS, duplicateKeyError, parsePolicy, parseStatement, statementLabel };
