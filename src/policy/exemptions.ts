import { parseCidr } from '../network/cidr.js';
import type { Exemptions } from './fence.js';
import { canonicalKey, keyFacts } from './keys.js';

/**
 * The `exemptions` parameter: condition key → accepted values. A carve-out in a Deny is accepted
 * only when the requests it lets through are contained in these values. `{account}` and
 * `{partition}` stand for the bucket's own account and partition, so one parameter value serves
 * every account.
 */

/**
 * The carve-outs AWS's own data-perimeter examples make
 * (https://github.com/aws-samples/data-perimeter-policy-examples): AWS service principals, AWS
 * services acting for a caller, and the bucket account's service-linked roles (how AWS Config
 * reads the bucket).
 */
const DEFAULT_EXEMPTIONS: Readonly<Record<string, readonly string[]>> = {
  'aws:PrincipalIsAWSService': ['true'],
  'aws:ViaAWSService': ['true'],
  'aws:PrincipalArn': ['arn:{partition}:iam::{account}:role/aws-service-role/*'],
};

/** The exemptions for one bucket: placeholders filled, values naming an unknown account dropped. */
/**
 * A key for a bucket's partition and account. No account and an empty one stay apart: exemptions
 * resolve differently for them ({account} left out, or filled empty).
 */
const accountKey = (partition: string, account: string | undefined): string =>
  account === undefined ? partition : `${partition}:${account}`;

// Every bucket of an account shares its exemptions: resolve them once per parameter value.
const resolved = new WeakMap<object, Map<string, Exemptions>>();

const resolveExemptions = (
  configured: Readonly<Record<string, readonly string[]>> | undefined,
  partition: string,
  account: string | undefined,
): Exemptions => {
  const source = configured ?? DEFAULT_EXEMPTIONS;
  let byAccount = resolved.get(source);
  if (byAccount === undefined) {
    byAccount = new Map();
    resolved.set(source, byAccount);
  }
  const id = accountKey(partition, account);
  let exemptions = byAccount.get(id);
  if (exemptions === undefined) {
    exemptions = resolveUncached(source, partition, account);
    // Bounded: a parameter value serves the accounts of one scan.
    if (byAccount.size > 10_000) byAccount.clear();
    byAccount.set(id, exemptions);
  }
  return exemptions;
};

const resolveUncached = (
  configured: Readonly<Record<string, readonly string[]>>,
  partition: string,
  account: string | undefined,
): Exemptions => {
  const result: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(configured)) {
    const filled = values
      .filter((value) => account !== undefined || !value.includes('{account}'))
      .map((value) =>
        value.replaceAll('{partition}', partition).replaceAll('{account}', account ?? ''),
      );
    if (filled.length > 0) result[canonicalKey(key)] = filled;
  }
  return result;
};

/** What is wrong with an `exemptions` value, or undefined (used by the parameter schema). */
const validateExemptions = (value: Record<string, string[]>): string | undefined => {
  for (const [key, values] of Object.entries(value)) {
    const facts = keyFacts(key.toLowerCase());
    if (facts === undefined) {
      return `${key} is not a condition key vpce-guard knows (for example aws:PrincipalArn, aws:SourceIp, aws:ViaAWSService)`;
    }
    if (facts.type === 'ip') {
      const bad = values.find((v) => parseCidr(v) === undefined);
      if (bad !== undefined) return `${key} value ${bad} is not an IP address or CIDR block`;
    }
    if (facts.type === 'bool') {
      const bad = values.find((v) => !/^(true|false)$/i.test(v));
      if (bad !== undefined) return `${key} value ${bad} must be "true" or "false"`;
    }
    if (facts.type === 'numeric' || facts.type === 'date') {
      return `${key} holds numbers or dates; exemptions accept string, ARN, IP and boolean keys`;
    }
  }
  return undefined;
};

/** "Accepted exemptions: aws:PrincipalArn arn:…; aws:ViaAWSService true." */
const describeExemptions = (exemptions: Exemptions): string => {
  const entries = Object.entries(exemptions);
  if (entries.length === 0) return 'Accepted exemptions: none.';
  return `Accepted exemptions: ${entries.map(([key, values]) => `${key} ${values.join(', ')}`).join('; ')}.`;
};

const EXEMPTIONS_DESCRIPTION =
  'Condition key → accepted values (patterns with * and ?, CIDR blocks for IP keys, true/false for boolean keys), e.g. {"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/BreakGlass"], "aws:SourceIp": ["203.0.113.0/24"]}. A carve-out in the Deny (a condition that spares some requests) is accepted only when every request it spares is contained in these values. {account} and {partition} stand for the bucket\'s account and partition. In InputParameters give the JSON text. Default (when unset): {"aws:PrincipalIsAWSService": ["true"], "aws:ViaAWSService": ["true"], "aws:PrincipalArn": ["arn:{partition}:iam::{account}:role/aws-service-role/*"]} — AWS service principals, AWS services acting for a caller, and the account\'s service-linked roles. Setting it replaces the default: copy these entries to keep them.';

export {
  accountKey,
  DEFAULT_EXEMPTIONS,
  describeExemptions,
  EXEMPTIONS_DESCRIPTION,
  resolveExemptions,
  validateExemptions,
};
