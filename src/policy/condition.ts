import { cidrContains, parseCidr } from '../network/cidr.js';
import type { BaseOperator, ConditionEntry } from './document.js';
import { wildcardMatch } from './wildcard.js';

/**
 * Evaluation of Condition blocks against a concrete request context, following the IAM rules:
 * - entries are ANDed, the values of one entry are ORed; a negated operator matches when the
 *   request value matches none of the values;
 * - a key missing from the request: `...IfExists` matches; a negated operator matches (there is no
 *   value to equal); a positive operator does not; `Null` tests exactly that;
 * - `ForAnyValue:` needs one request value to pass and fails on a missing or empty key;
 *   `ForAllValues:` needs every request value to pass and succeeds on a missing or empty key.
 * The analyser asks its questions by probing these functions with chosen contexts, so what the
 * rules conclude is what IAM would do, not what the policy text looks like.
 */

/** Request context: lower-case key → one value or a multi-valued key's values. */
type RequestContext = Readonly<Record<string, string | readonly string[]>>;

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

const parseDate = (text: string): number => {
  // IAM accepts ISO 8601 dates and epoch seconds.
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Number(text) * 1000;
  return Date.parse(text);
};

const compareNumbers = (
  request: number,
  policy: number,
  kind: 'eq' | 'lt' | 'le' | 'gt' | 'ge',
): boolean => {
  if (Number.isNaN(request) || Number.isNaN(policy)) return false;
  switch (kind) {
    case 'eq':
      return request === policy;
    case 'lt':
      return request < policy;
    case 'le':
      return request <= policy;
    case 'gt':
      return request > policy;
    case 'ge':
      return request >= policy;
  }
};

/** Whether the address lies in the CIDR block (a bare address is a /32 or /128); malformed is not. */
const ipInCidr = (ip: string, cidr: string): boolean => {
  if (ip.includes('/')) return false;
  const address = parseCidr(ip);
  const block = parseCidr(cidr);
  return address !== undefined && block !== undefined && cidrContains(block, address);
};

/** ArnEquals and ArnLike both compare the six colon-separated parts one by one, with wildcards. */
const arnMatches = (pattern: string, value: string): boolean => {
  const split = (text: string): string[] => {
    const parts = text.split(':');
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const patternParts = split(pattern);
  const valueParts = split(value);
  if (pattern.split(':').length < 6 || value.split(':').length < 6) return false;
  return patternParts.every((part, index) => wildcardMatch(part, valueParts[index] ?? ''));
};

/** The positive comparison behind an operator: does one request value match one policy value. */
const positiveMatch = (base: BaseOperator, request: string, policy: string): boolean => {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return request === policy;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return request.toLowerCase() === policy.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return wildcardMatch(policy, request);
    case 'NumericEquals':
    case 'NumericNotEquals':
      return compareNumbers(Number(request), Number(policy), 'eq');
    case 'NumericLessThan':
      return compareNumbers(Number(request), Number(policy), 'lt');
    case 'NumericLessThanEquals':
      return compareNumbers(Number(request), Number(policy), 'le');
    case 'NumericGreaterThan':
      return compareNumbers(Number(request), Number(policy), 'gt');
    case 'NumericGreaterThanEquals':
      return compareNumbers(Number(request), Number(policy), 'ge');
    case 'DateEquals':
    case 'DateNotEquals':
      return compareNumbers(parseDate(request), parseDate(policy), 'eq');
    case 'DateLessThan':
      return compareNumbers(parseDate(request), parseDate(policy), 'lt');
    case 'DateLessThanEquals':
      return compareNumbers(parseDate(request), parseDate(policy), 'le');
    case 'DateGreaterThan':
      return compareNumbers(parseDate(request), parseDate(policy), 'gt');
    case 'DateGreaterThanEquals':
      return compareNumbers(parseDate(request), parseDate(policy), 'ge');
    case 'Bool':
      return request.toLowerCase() === policy.toLowerCase();
    case 'BinaryEquals':
      return request === policy;
    case 'IpAddress':
    case 'NotIpAddress':
      return ipInCidr(request, policy);
    case 'ArnEquals':
    case 'ArnLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return arnMatches(policy, request);
    case 'Null':
      return false;
  }
};

/** One request value against all of an entry's values: ORed, or "none of them" when negated. */
const singleValueMatches = (
  base: BaseOperator,
  request: string,
  values: readonly string[],
): boolean => {
  const any = values.some((policy) => positiveMatch(base, request, policy));
  return isNegated(base) ? !any : any;
};

const lookup = (context: RequestContext, keyLower: string): readonly string[] | undefined => {
  const value = context[keyLower];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? [value] : value;
};

/** Whether one condition entry matches a request context (see the module comment for the rules). */
const conditionEntryMatches = (entry: ConditionEntry, context: RequestContext): boolean => {
  const { base } = entry;
  // An operator IAM does not know never matches: a Deny that relies on it denies nothing.
  if (base === undefined) return false;
  const requestValues = lookup(context, entry.keyLower);
  const absent = requestValues === undefined || requestValues.length === 0;
  if (base === 'Null') {
    return entry.values.some((value) => (value.toLowerCase() === 'true') === absent);
  }
  if (entry.qualifier === 'ForAllValues') {
    if (absent) return true;
    return requestValues.every((value) => singleValueMatches(base, value, entry.values));
  }
  if (entry.qualifier === 'ForAnyValue') {
    if (absent) return entry.ifExists;
    return requestValues.some((value) => singleValueMatches(base, value, entry.values));
  }
  if (absent) return entry.ifExists || isNegated(base);
  const any = requestValues.some((value) =>
    entry.values.some((policy) => positiveMatch(base, value, policy)),
  );
  return isNegated(base) ? !any : any;
};

export type { RequestContext };
export { conditionEntryMatches, ipInCidr, isNegated };
