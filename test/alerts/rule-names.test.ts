import { describe, expect, it } from 'vitest';
import { ruleIdOfRuleName } from '../../src/alerts/rule-names.js';
import { RULES } from '../../src/rules/index.js';

const IDS = RULES.map((rule) => rule.id);

describe('ruleIdOfRuleName', () => {
  it('resolves every naming AWS Config uses for a catalogue rule', () => {
    for (const id of IDS) {
      // Prepare
      const names = [
        `vpce-guard-${id}`,
        // The forms AWS documents: OrgConfigRule-s3-bucket-versioning-enabled-dbgzf8ba and
        // CustomRuleForAccount-conformance-pack-szsm1uv0w.
        `OrgConfigRule-vpce-guard-${id}-dbgzf8ba`,
        `vpce-guard-${id}-conformance-pack-szsm1uv0w`,
      ];
      // Act
      const resolved = names.map((name) => ruleIdOfRuleName(name, IDS));
      // Assess
      expect(resolved).toEqual([id, id, id]);
    }
  });

  it('picks the longest id when ids share a prefix', () => {
    // Prepare
    const ids = ['s3-bucket-policy', 's3-bucket-policy-tls-only'];
    // Act / Assess
    expect(ruleIdOfRuleName('OrgConfigRule-vpce-guard-s3-bucket-policy-tls-only-x1', ids)).toBe(
      's3-bucket-policy-tls-only',
    );
    expect(ruleIdOfRuleName('vpce-guard-s3-bucket-policy-x1', ids)).toBe('s3-bucket-policy');
  });

  it('returns undefined for rules this product did not create', () => {
    expect(ruleIdOfRuleName('s3-bucket-ssl-requests-only', IDS)).toBeUndefined();
    expect(ruleIdOfRuleName('vpce-guard-unknown-rule', IDS)).toBeUndefined();
    expect(ruleIdOfRuleName('OrgConfigRule-s3-bucket-ssl-requests-only-x1', IDS)).toBeUndefined();
    expect(ruleIdOfRuleName(`vpce-guard-${IDS[0]}suffix`, IDS)).toBeUndefined();
  });
});
