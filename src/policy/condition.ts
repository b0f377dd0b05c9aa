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

const parseIpv4 = (text: string): bigint | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
};

const parseIpv6 = (text: string): bigint | undefined => {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return value;
};

const parseAddress = (text: string): { value: bigint; bits: number } | undefined => {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { value: v4, bits: 32 };
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { value: v6, bits: 128 };
};

const ipInCidr = (ip: string, cidr: string): boolean => {
  const [network = '', prefixText] = cidr.trim().split('/');
  const address = parseAddress(ip.trim());
  const base = parseAddress(network);
  if (!address || !base || address.bits !== base.bits) return false;
  const prefix = prefixText === undefined ? base.bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > base.bits) return false;
  const shift = BigInt(base.bits - prefix);
  return address.value >> shift === base.value >> shift;
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

/** Whether all entries match (the Condition block is an AND). */
const conditionsMatch = (entries: readonly ConditionEntry[], context: RequestContext): boolean =>
  entries.every((entry) => conditionEntryMatches(entry, context));

export type { RequestContext };
export { conditionEntryMatches, conditionsMatch, ipInCidr, isNegated };
