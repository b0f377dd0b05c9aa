import { cidrContains, parseCidr } from '../network/cidr.js';
import { matchText } from './automata.js';
import type { BaseOperator, ConditionEntry } from './document.js';

/**
 * Condition entries evaluated on one key's concrete value, in three-valued logic: `undefined` means
 * the analyser cannot know (a policy variable, an operator or key it does not model); callers count
 * that as "the request escapes". The rules are the IAM reference's
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * and ..._condition-single-vs-multi-valued-context-keys.html):
 * - the values of one entry are ORed; a negated operator holds when the request value matches none;
 * - a key missing from the request: `...IfExists` holds; a negated operator holds; a positive one
 *   does not; `Null` tests exactly presence;
 * - `ForAllValues:` holds when every request value passes, and on a missing or empty key;
 *   `ForAnyValue:` needs one passing value and fails on a missing key.
 */

type Tri = boolean | undefined;

const or = (values: Iterable<Tri>): Tri => {
  let unknown = false;
  for (const value of values) {
    if (value === true) return true;
    if (value === undefined) unknown = true;
  }
  return unknown ? undefined : false;
};

const and = (values: Iterable<Tri>): Tri => {
  let unknown = false;
  for (const value of values) {
    if (value === false) return false;
    if (value === undefined) unknown = true;
  }
  return unknown ? undefined : true;
};

const not = (value: Tri): Tri => (value === undefined ? undefined : !value);

const NEGATED: ReadonlySet<BaseOperator> = new Set<BaseOperator>([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'NumericNotEquals',
  'DateNotEquals',
  'NotIpAddress',
  'ArnNotEquals',
  'ArnNotLike',
]);

const isNegated = (base: BaseOperator): boolean => NEGATED.has(base);

/**
 * Policy variables (`${aws:username}`) exist only under Version 2012-10-17; under 2008-10-17 or
 * with no Version the text is literal
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 */
const VARIABLE = /\$\{(?![*?$]\})[^}]*\}/;
const hasVariable = (text: string, variables: boolean): boolean => variables && VARIABLE.test(text);

/**
 * A Bool or Null policy value as AWS documents it: true or false, written as a JSON boolean or a
 * string ("Quotation marks are optional for numeric and Boolean values", IAM policy grammar).
 * The operator reference gives no case rule and no other spelling ("TRUE", "False", "1"), so
 * whether such a value matches is unknown: a Deny conditioned on Bool aws:SecureTransport "FALSE"
 * is not shown to deny plain HTTP.
 */
const boolValue = (policy: string): boolean | undefined =>
  policy === 'true' ? true : policy === 'false' ? false : undefined;

/** A value the analyser stands for "some value it does not model" (a number, a date). */
const OPAQUE = '\u0000opaque';

const ipInCidr = (ip: string, cidr: string): boolean => {
  if (ip.includes('/')) return false;
  const address = parseCidr(ip);
  const block = parseCidr(cidr);
  return address !== undefined && block !== undefined && cidrContains(block, address);
};

/** The positive comparison behind an operator, for one request value and one policy value. */
const positiveMatch = (base: BaseOperator, request: string, policy: string): Tri => {
  if (request === OPAQUE) return undefined;
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return request === policy;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return request.toLowerCase() === policy.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return matchText(policy, request, 'glob');
    case 'ArnEquals':
    case 'ArnLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return matchText(policy, request, 'arn');
    case 'Bool':
      return boolValue(policy) === undefined ? undefined : request === policy;
    case 'BinaryEquals':
      // Compares a binary key byte for byte with the base-64 decoded policy value; no key the
      // analyser models holds binary, so what a text value compares as is not documented.
      return undefined;
    case 'IpAddress':
    case 'NotIpAddress':
      return ipInCidr(request, policy);
    default:
      // Numeric and date comparisons: the analyser keeps no value space for them.
      return undefined;
  }
};

/** Whether one condition entry holds on a key's values (`null`: the key is absent). */
const entryHolds = (
  entry: ConditionEntry,
  requestValues: readonly string[] | null,
  variables: boolean,
): Tri => {
  const { base } = entry;
  if (base === undefined) return undefined;
  const absent = requestValues === null || requestValues.length === 0;
  if (base === 'Null') {
    // Null takes true (the key is absent) or false (present); other spellings are undocumented.
    return or(
      entry.values.map((value) => {
        const wanted = boolValue(value);
        return wanted === undefined ? undefined : wanted === absent;
      }),
    );
  }
  if (absent) {
    if (entry.qualifier === 'ForAllValues') return true;
    if (entry.qualifier === 'ForAnyValue') return entry.ifExists;
    return entry.ifExists || isNegated(base);
  }
  const matchOne = (value: string): Tri =>
    or(
      entry.values.map((policy) =>
        hasVariable(policy, variables) ? undefined : positiveMatch(base, value, policy),
      ),
    );
  const passes = (value: string): Tri => (isNegated(base) ? not(matchOne(value)) : matchOne(value));
  if (entry.qualifier === 'ForAllValues') return and(requestValues.map(passes));
  if (entry.qualifier === 'ForAnyValue') return or(requestValues.map(passes));
  const any = or(requestValues.map(matchOne));
  return isNegated(base) ? not(any) : any;
};

export type { Tri };
export { and, boolValue, entryHolds, hasVariable, ipInCidr, isNegated, not, OPAQUE, or };
