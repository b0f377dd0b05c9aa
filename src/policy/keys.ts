import { S3_CONDITION_KEYS } from './s3-actions.generated.js';

/**
 * What the analyser knows about condition keys, from the global condition key reference
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html) and the
 * S3 service authorization reference (generated table). Key names are case-insensitive; values
 * here are lower case.
 */

type KeyType = 'string' | 'arn' | 'ip' | 'bool' | 'numeric' | 'date';

interface KeyFacts {
  type: KeyType;
  /** "Availability: this key is always included in the request context." */
  alwaysPresent?: boolean;
  /** Multivalued keys hold a set of values; set operators (ForAnyValue/ForAllValues) apply. */
  multi?: boolean;
  /** Present only on requests that arrive through a VPC endpoint ("network" keys). */
  endpointOnly?: boolean;
  /** Present only when the owner account is a member of an organization. */
  orgMember?: boolean;
  /** Describes the principal: absent for anonymous callers and AWS service principals. */
  principal?: boolean;
  /** AWS issues these values in lower case only (resource ids, organization ids). */
  lowercase?: boolean;
  /** Every value AWS issues for the key has this form: a literal policy value of another form names no request. */
  format?: RegExp;
  /** A glob every value matches (an organization path): values are searched only inside it. */
  shape?: string;
  /** Multivalued in form, but one account has one organization path: a request holds one value. */
  onePath?: boolean;
  /** Present only on requests an AWS service makes with a caller's credentials (aws:ViaAWSService true). */
  viaService?: boolean;
}

const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT_ID = /^\d{12}$/;
// o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ (condition key reference, aws:PrincipalOrgPaths).
const ORG_PATH = { shape: 'o-?*/r-?*/*', onePath: true } as const;

const GLOBAL_KEYS: Record<string, KeyFacts> = {
  'aws:principalarn': { type: 'arn', principal: true },
  'aws:principalaccount': { type: 'string', principal: true, format: ACCOUNT_ID },
  'aws:principalorgid': { type: 'string', principal: true, lowercase: true, format: ORG_ID },
  'aws:principalorgpaths': {
    type: 'string',
    principal: true,
    multi: true,
    lowercase: true,
    ...ORG_PATH,
  },
  'aws:principaltype': { type: 'string' },
  // Signed requests only: anonymous callers carry no aws:PrincipalIsAWSService.
  'aws:principalisawsservice': { type: 'bool' },
  'aws:principalservicename': { type: 'string' },
  'aws:principalservicenameslist': { type: 'string', multi: true },
  'aws:userid': { type: 'string', principal: true },
  'aws:username': { type: 'string', principal: true },
  'aws:federatedprovider': { type: 'string', principal: true },
  'aws:sourceidentity': { type: 'string', principal: true },
  'aws:assumedroot': { type: 'bool', principal: true },
  'aws:multifactorauthpresent': { type: 'bool' },
  'aws:multifactorauthage': { type: 'numeric' },
  'aws:tokenissuetime': { type: 'date' },
  'aws:sourceip': { type: 'ip' },
  'aws:vpcsourceip': { type: 'ip', endpointOnly: true },
  'aws:sourcevpce': {
    type: 'string',
    endpointOnly: true,
    lowercase: true,
    format: /^vpce-[0-9a-f]+$/,
  },
  'aws:sourcevpc': {
    type: 'string',
    endpointOnly: true,
    lowercase: true,
    format: /^vpc-[0-9a-f]+$/,
  },
  'aws:sourcevpcarn': { type: 'arn', endpointOnly: true },
  'aws:vpceaccount': { type: 'string', endpointOnly: true, format: ACCOUNT_ID },
  // "Not included ... when the VPC endpoint owner account is not part of an organization."
  'aws:vpceorgid': {
    type: 'string',
    endpointOnly: true,
    orgMember: true,
    lowercase: true,
    format: ORG_ID,
  },
  'aws:vpceorgpaths': {
    type: 'string',
    endpointOnly: true,
    orgMember: true,
    multi: true,
    lowercase: true,
    ...ORG_PATH,
  },
  'aws:securetransport': { type: 'bool', alwaysPresent: true },
  'aws:viaawsservice': { type: 'bool', alwaysPresent: true },
  // "Present ... when a service uses the credentials of an IAM principal to make a request to
  // another service": exactly the requests with aws:ViaAWSService true.
  'aws:calledvia': { type: 'string', multi: true, viaService: true },
  'aws:calledviafirst': { type: 'string', viaService: true },
  'aws:calledvialast': { type: 'string', viaService: true },
  'aws:sourcearn': { type: 'arn' },
  'aws:sourceaccount': { type: 'string' },
  'aws:sourceorgid': { type: 'string' },
  'aws:sourceorgpaths': { type: 'string', multi: true, ...ORG_PATH },
  'aws:resourceaccount': { type: 'string', format: ACCOUNT_ID },
  'aws:resourceorgid': { type: 'string', lowercase: true, format: ORG_ID },
  'aws:resourceorgpaths': { type: 'string', multi: true, lowercase: true, ...ORG_PATH },
  'aws:requestedregion': { type: 'string', alwaysPresent: true },
  'aws:currenttime': { type: 'date', alwaysPresent: true },
  'aws:epochtime': { type: 'numeric', alwaysPresent: true },
  'aws:referer': { type: 'string' },
  'aws:useragent': { type: 'string' },
  'aws:ec2instancesourcevpc': { type: 'string' },
  'aws:ec2instancesourceprivateipv4': { type: 'ip' },
  'aws:tagkeys': { type: 'string', multi: true },
};

const TAG_PREFIXES: Record<string, KeyFacts> = {
  'aws:principaltag/': { type: 'string', principal: true },
  'aws:requesttag/': { type: 'string' },
  'aws:resourcetag/': { type: 'string' },
  's3:existingobjecttag/': { type: 'string' },
  's3:requestobjecttag/': { type: 'string' },
  's3:buckettag/': { type: 'string' },
  's3:accesspointtag/': { type: 'string' },
};

const S3_KEYS = new Set(
  S3_CONDITION_KEYS.filter((key) => !/[<$]/.test(key)).map((key) => key.toLowerCase()),
);

const S3_NUMERIC = new Set([
  's3:max-keys',
  's3:signatureage',
  's3:tlsversion',
  's3:object-lock-remaining-retention-days',
  's3:object-lock-event-hold-duration-days',
  's3:existingjobpriority',
  's3:requestjobpriority',
  's3:max-annotation-results',
]);

/**
 * Facts about a lower-case key; `undefined` for a key the analyser does not know (a typo, or a
 * service key it has no data for): conditions on it cannot be decided. `extraPrefixes` admits the
 * keys of an endpoint's own service (`dynamodb:`) as plain strings.
 */
const keyFacts = (key: string, extraPrefixes: readonly string[] = []): KeyFacts | undefined => {
  // Own properties only: a key named `constructor` or `__proto__` is no key vpce-guard knows.
  const known = Object.hasOwn(GLOBAL_KEYS, key) ? GLOBAL_KEYS[key] : undefined;
  if (known) return known;
  for (const [prefix, facts] of Object.entries(TAG_PREFIXES)) {
    if (key.startsWith(prefix) && key.length > prefix.length) return facts;
  }
  if (S3_KEYS.has(key)) {
    if (S3_NUMERIC.has(key)) return { type: 'numeric' };
    if (key === 's3:object-lock-retain-until-date') return { type: 'date' };
    return { type: 'string' };
  }
  if (extraPrefixes.some((prefix) => key.startsWith(`${prefix}:`))) return { type: 'string' };
  return undefined;
};

/** Principal-describing keys the analyser derives from the principal itself (not independent). */
const DERIVED_PRINCIPAL_KEYS = new Set([
  'aws:principalarn',
  'aws:principalaccount',
  'aws:principalisawsservice',
  'aws:principalservicename',
]);

/** Keys that exist only on requests through a VPC endpoint (the endpoint's network identity). */
const ENDPOINT_KEYS = Object.entries(GLOBAL_KEYS)
  .filter(([, facts]) => facts.endpointOnly)
  .map(([key]) => key);

export type { KeyFacts, KeyType };

/** The globs every value of some key matches (organization paths), for the identifier renamer. */
const KEY_SHAPES = [
  ...new Set(Object.values(GLOBAL_KEYS).flatMap((facts) => (facts.shape ? [facts.shape] : []))),
];

export { DERIVED_PRINCIPAL_KEYS, ENDPOINT_KEYS, KEY_SHAPES, keyFacts };

const CANONICAL = [
  'aws:PrincipalArn',
  'aws:PrincipalAccount',
  'aws:PrincipalOrgID',
  'aws:PrincipalOrgPaths',
  'aws:PrincipalType',
  'aws:PrincipalIsAWSService',
  'aws:PrincipalServiceName',
  'aws:userid',
  'aws:username',
  'aws:SourceIp',
  'aws:VpcSourceIp',
  'aws:SourceVpce',
  'aws:SourceVpc',
  'aws:SourceVpcArn',
  'aws:VpceAccount',
  'aws:VpceOrgID',
  'aws:VpceOrgPaths',
  'aws:SecureTransport',
  'aws:ViaAWSService',
  'aws:CalledVia',
  'aws:ResourceAccount',
  'aws:ResourceOrgID',
  'aws:ResourceOrgPaths',
  'aws:MultiFactorAuthPresent',
];
const CANONICAL_BY_LOWER = new Map(CANONICAL.map((key) => [key.toLowerCase(), key]));

/** The documented spelling of a key, for messages and counterexamples. */
const canonicalKey = (key: string): string => {
  const lower = key.toLowerCase();
  const known = CANONICAL_BY_LOWER.get(lower);
  if (known) return known;
  const tag = /^(aws:principaltag|aws:requesttag|aws:resourcetag)\/(.+)$/.exec(key);
  if (tag?.[1] && tag[2]) {
    const prefix = {
      'aws:principaltag': 'aws:PrincipalTag',
      'aws:requesttag': 'aws:RequestTag',
      'aws:resourcetag': 'aws:ResourceTag',
    }[tag[1].toLowerCase()];
    return `${prefix}/${tag[2]}`;
  }
  return key;
};

export { canonicalKey };
