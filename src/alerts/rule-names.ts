import { CONFIG_RULE_PREFIX } from '../deploy/naming.js';

/**
 * AWS Config names this product's rules differently depending on how they were deployed:
 * - the stack's own rule: `vpce-guard-<id>`;
 * - an organization rule, in each member account: `OrgConfigRule-vpce-guard-<id>-<suffix>` (AWS's
 *   example: `OrgConfigRule-s3-bucket-versioning-enabled-dbgzf8ba`);
 * - a conformance-pack copy: `vpce-guard-<id>-conformance-pack-<suffix>` (AWS's example:
 *   `CustomRuleForAccount-conformance-pack-szsm1uv0w`), organization packs included.
 * Alerts and the EventBridge patterns must recognise all three.
 */

const ORG_RULE_PREFIX = 'OrgConfigRule-';

/** Prefixes an EventBridge `prefix` filter on `detail.configRuleName` needs. */
const CONFIG_RULE_NAME_PREFIXES = [CONFIG_RULE_PREFIX, `${ORG_RULE_PREFIX}${CONFIG_RULE_PREFIX}`];

/**
 * The catalogue rule id a Config rule name belongs to, or undefined for a rule this product did not
 * create. Several ids share a prefix (`s3-bucket-policy-…`), so the longest id that the name
 * continues with `-<suffix>` or ends with wins.
 */
const ruleIdOfRuleName = (name: string, ruleIds: readonly string[]): string | undefined => {
  const withoutOrg = name.startsWith(ORG_RULE_PREFIX) ? name.slice(ORG_RULE_PREFIX.length) : name;
  if (!withoutOrg.startsWith(CONFIG_RULE_PREFIX)) return undefined;
  const rest = withoutOrg.slice(CONFIG_RULE_PREFIX.length);
  let best: string | undefined;
  for (const id of ruleIds) {
    const matches = rest === id || rest.startsWith(`${id}-`);
    if (matches && (best === undefined || id.length > best.length)) best = id;
  }
  return best;
};

export { CONFIG_RULE_NAME_PREFIXES, ORG_RULE_PREFIX, ruleIdOfRuleName };
