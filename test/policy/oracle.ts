/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables and escapes are the subject here. */
import type { Counterexample } from '../../src/model/compliance.js';

/**
 * A plain concrete evaluator: IAM's decision for ONE request against ONE policy document, written
 * straight from the IAM documentation (policy evaluation logic, condition operators, single- vs
 * multi-valued keys) and sharing no code with src/policy, so a bug in the analyser cannot make the
 * property tests pass. Only what the generators use is implemented; anything else throws.
 */

interface OraclePrincipal {
  /** aws:PrincipalArn; undefined for anonymous callers and service principals. */
  arn?: string;
  /** A service principal's name (`cloudtrail.amazonaws.com`). */
  service?: string;
}

interface OracleRequest {
  principal: OraclePrincipal;
  action: string;
  resource: string;
  /** Lower-case key → value(s); a key missing here is absent from the request. */
  context: Record<string, string | string[]>;
}

type Decision = 'deny' | 'allow' | 'implicit';

const asList = (raw: unknown): string[] =>
  raw === undefined ? [] : (Array.isArray(raw) ? raw : [raw]).map((value) => String(value));

/** `*` any run, `?` one character; `${*}`, `${?}`, `${$}` literal. */
const globRegExp = (pattern: string, ignoreCase: boolean, colonFree = false): RegExp => {
  let body = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const four = pattern.slice(i, i + 4);
    if (four === '${*}' || four === '${?}' || four === '${$}') {
      body += `\\${four[2]}`;
      i += 3;
      continue;
    }
    const c = pattern[i] as string;
    if (c === '*') body += colonFree ? '[^:]*' : '[\\s\\S]*';
    else if (c === '?') body += colonFree ? '[^:]' : '[\\s\\S]';
    else body += c.replace(/[.+^$()|[\]\\{}/]/g, '\\$&');
  }
  return new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
};

const glob = (pattern: string, value: string, ignoreCase = false): boolean =>
  globRegExp(pattern, ignoreCase).test(value);

/** ArnLike: six colon-separated components, each matched on its own. */
const arnLike = (pattern: string, value: string): boolean => {
  const p = pattern.split(':');
  const v = value.split(':');
  if (p.length < 6 || v.length < 6) return false;
  const head = (parts: string[]) => [...parts.slice(0, 5), parts.slice(5).join(':')];
  const ph = head(p);
  const vh = head(v);
  return ph.every((part, index) => globRegExp(part, false).test(vh[index] as string));
};

const ipBits = (text: string): { v: 4 | 6; bits: bigint } | undefined => {
  if (text.includes(':')) {
    const [left = '', right] = text.split('::');
    const l = left === '' ? [] : left.split(':');
    const r = right === undefined ? [] : right === '' ? [] : right.split(':');
    const groups =
      right === undefined ? l : [...l, ...Array(8 - l.length - r.length).fill('0'), ...r];
    if (groups.length !== 8) return undefined;
    return {
      v: 6,
      bits: groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n),
    };
  }
  const parts = text.split('.').map(Number);
  if (parts.length !== 4) return undefined;
  return { v: 4, bits: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
};

const inCidr = (ip: string, cidr: string): boolean => {
  const [base = '', len] = cidr.split('/');
  const a = ipBits(ip);
  const b = ipBits(base);
  if (!a || !b || a.v !== b.v) return false;
  const width = a.v === 4 ? 32 : 128;
  const shift = BigInt(width - (len === undefined ? width : Number(len)));
  return a.bits >> shift === b.bits >> shift;
};

const compare = (base: string, request: string, policy: string): boolean => {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return request === policy;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return request.toLowerCase() === policy.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return glob(policy, request);
    case 'ArnEquals':
    case 'ArnLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return arnLike(policy, request);
    case 'Bool':
      return request.toLowerCase() === policy.toLowerCase();
    case 'IpAddress':
    case 'NotIpAddress':
      return inCidr(request, policy);
    default:
      throw new Error(`oracle: unknown operator ${base}`);
  }
};

const entryHolds = (
  operator: string,
  key: string,
  raw: unknown,
  request: OracleRequest,
): boolean => {
  let base = operator;
  let set: 'any' | 'all' | undefined;
  if (base.startsWith('ForAnyValue:')) [set, base] = ['any', base.slice(12)];
  if (base.startsWith('ForAllValues:')) [set, base] = ['all', base.slice(13)];
  const ifExists = base.endsWith('IfExists');
  if (ifExists) base = base.slice(0, -8);
  const values = asList(raw);
  const found = contextValue(request, key.toLowerCase());
  const absent = found === undefined || found.length === 0;
  if (base === 'Null') return values.some((v) => (v.toLowerCase() === 'true') === absent);
  const negated = /Not/.test(base);
  if (absent) {
    if (set === 'all') return true;
    if (set === 'any') return ifExists;
    return ifExists || negated;
  }
  const hit = (value: string) => values.some((policy) => compare(base, value, policy));
  const passes = (value: string) => (negated ? !hit(value) : hit(value));
  if (set === 'all') return found.every(passes);
  if (set === 'any') return found.some(passes);
  const any = found.some(hit);
  return negated ? !any : any;
};

/** Keys read off the principal, as the global condition key reference describes them. */
const contextValue = (request: OracleRequest, key: string): string[] | undefined => {
  const { principal } = request;
  if (key === 'aws:principalarn') return principal.arn ? [principal.arn] : undefined;
  if (key === 'aws:principalaccount')
    return principal.arn ? [principal.arn.split(':')[4] as string] : undefined;
  // Signed requests only: anonymous callers carry no aws:PrincipalIsAWSService.
  if (key === 'aws:principalisawsservice')
    return principal.arn || principal.service ? [principal.service ? 'true' : 'false'] : undefined;
  if (key === 'aws:principalservicename')
    return principal.service ? [principal.service] : undefined;
  const raw = request.context[key];
  return raw === undefined ? undefined : asList(raw);
};

const principalNamed = (raw: unknown, principal: OraclePrincipal): boolean => {
  if (raw === '*') return true;
  const block = raw as Record<string, unknown>;
  if (asList(block.AWS).includes('*')) return true;
  if (principal.service && asList(block.Service).includes(principal.service)) return true;
  if (!principal.arn) return false;
  const account = principal.arn.split(':')[4];
  return asList(block.AWS).some((value) => {
    if (/^\d{12}$/.test(value)) return value === account;
    const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(value);
    return root ? root[1] === account : value === principal.arn;
  });
};

const applies = (statement: Record<string, unknown>, request: OracleRequest): boolean => {
  const principalOk =
    statement.Principal !== undefined
      ? principalNamed(statement.Principal, request.principal)
      : statement.NotPrincipal !== undefined
        ? !principalNamed(statement.NotPrincipal, request.principal)
        : false;
  const actions = asList(statement.Action ?? statement.NotAction).some((p) =>
    glob(p, request.action, true),
  );
  const resources = asList(statement.Resource ?? statement.NotResource).some((p) =>
    glob(p, request.resource),
  );
  const conditions = Object.entries(
    (statement.Condition ?? {}) as Record<string, Record<string, unknown>>,
  );
  return (
    principalOk &&
    (statement.Action !== undefined ? actions : !actions) &&
    (statement.Resource !== undefined ? resources : !resources) &&
    conditions.every(([operator, block]) =>
      Object.entries(block).every(([key, raw]) => entryHolds(operator, key, raw, request)),
    )
  );
};

/** An explicit Deny wins; otherwise an Allow allows; otherwise the policy says nothing. */
const decide = (policy: { Statement: unknown }, request: OracleRequest): Decision => {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const matching = (statements as Record<string, unknown>[]).filter((s) => applies(s, request));
  if (matching.some((s) => s.Effect === 'Deny')) return 'deny';
  return matching.some((s) => s.Effect === 'Allow') ? 'allow' : 'implicit';
};

/** The oracle's request for an analyser counterexample: the same principal, action, resource and context keys. */
const fromCounterexample = (example: Counterexample): OracleRequest => {
  const context: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(example.context)) {
    if (value !== null) context[key.toLowerCase()] = value as string | string[];
  }
  const service = example.context['aws:PrincipalIsAWSService'] === 'true';
  return {
    principal: service
      ? { service: example.principal }
      : example.principal === '*'
        ? {}
        : { arn: example.principal },
    action: example.action,
    resource: example.resource,
    context,
  };
};

export type { Decision, OracleRequest };
export { arnLike, decide, fromCounterexample, glob, inCidr };
