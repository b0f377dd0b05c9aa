import type { Exemptions } from './fence.js';
import { keyFacts } from './keys.js';

/**
 * The statements `vpce-guard fix` appends: fences written as the analyser reads them, with exactly
 * the accepted exemptions carved out, so the merged policy is COMPLIANT for the same parameters.
 */

type ConditionBlock = Record<string, Record<string, string | string[]>>;

type Statement = Record<string, unknown>;

const add = (block: ConditionBlock, operator: string, key: string, values: readonly string[]) => {
  block[operator] = {
    ...(block[operator] ?? {}),
    [key]: values.length === 1 ? (values[0] as string) : [...values],
  };
};

/**
 * A Deny applies unless some exemption holds: one negated entry per exempted key, ANDed.
 * `...IfExists` keeps the Deny on requests without the key (anonymous callers have no
 * aws:PrincipalArn), negated operators already hold there.
 */
const carveOuts = (exemptions: Exemptions): ConditionBlock => {
  const block: ConditionBlock = {};
  for (const [key, values] of Object.entries(exemptions)) {
    const facts = keyFacts(key.toLowerCase());
    switch (facts?.type) {
      case 'bool': {
        const exempt = new Set(values.map((v) => v.toLowerCase()));
        // Exempting both values would switch the Deny off; exempting none changes nothing.
        if (exempt.size === 1)
          add(block, 'BoolIfExists', key, [exempt.has('true') ? 'false' : 'true']);
        break;
      }
      case 'ip':
        add(block, 'NotIpAddressIfExists', key, values);
        break;
      case 'arn':
        add(block, 'ArnNotLikeIfExists', key, values);
        break;
      default:
        add(
          block,
          facts?.multi ? 'ForAllValues:StringNotLike' : 'StringNotLikeIfExists',
          key,
          values,
        );
    }
  }
  return block;
};

/** A Deny of every S3 request on the bucket and its objects on which the condition block holds. */
const bucketDeny = (arn: string, sid: string, condition: Record<string, unknown>): Statement => ({
  Sid: sid,
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [arn, `${arn}/*`],
  Condition: condition,
});

/** Deny every S3 request that does not come through the endpoints (or VPCs). */
const networkDeny = (
  arn: string,
  network: { key: 'aws:SourceVpce' | 'aws:SourceVpc'; values: readonly string[] },
  exemptions: Exemptions,
  sid: string,
): Statement => {
  const block = carveOuts(exemptions);
  const wildcard = network.values.some((value) => /[*?]/.test(value));
  add(block, wildcard ? 'StringNotLike' : 'StringNotEquals', network.key, network.values);
  return bucketDeny(arn, sid, block);
};

/** Deny every plain-HTTP S3 request. */
const tlsDeny = (arn: string, exemptions: Exemptions, sid: string): Statement => {
  const block = carveOuts(exemptions);
  add(block, 'Bool', 'aws:SecureTransport', ['false']);
  return bucketDeny(arn, sid, block);
};

/** A Sid no existing statement uses (`Base`, `Base2`, ...). */
const freeSid = (statements: readonly Statement[], base: string): string => {
  const used = new Set(statements.map((s) => s.Sid));
  let sid = base;
  for (let n = 2; used.has(sid); n += 1) sid = `${base}${n}`;
  return sid;
};

/**
 * A least-privilege endpoint policy: the service's actions, only for principals of the trusted
 * accounts/organizations on resources of the same accounts/organizations.
 */
const endpointPolicy = (
  prefix: string | undefined,
  accounts: readonly string[],
  orgs: readonly string[],
): Record<string, unknown> => {
  const action = prefix === undefined ? '*' : `${prefix}:*`;
  const statements: Statement[] = [];
  if (accounts.length > 0) {
    statements.push({
      Sid: 'AllowTrustedAccounts',
      Effect: 'Allow',
      Principal: '*',
      Action: action,
      Resource: '*',
      Condition: {
        StringEquals: {
          'aws:PrincipalAccount': [...accounts],
          'aws:ResourceAccount': [...accounts],
        },
      },
    });
  }
  if (orgs.length > 0) {
    statements.push({
      Sid: 'AllowTrustedOrganizations',
      Effect: 'Allow',
      Principal: '*',
      Action: action,
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:PrincipalOrgID': [...orgs], 'aws:ResourceOrgID': [...orgs] },
      },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
};

export type { Statement };
export { carveOuts, endpointPolicy, freeSid, networkDeny, tlsDeny };
