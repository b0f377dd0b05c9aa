import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRulesDoc } from '../../src/docs/rules-doc.js';
import { requirementTitle } from '../../src/frameworks/requirements.js';
import { RULES } from '../../src/rules/index.js';

describe('docs/rules.md', () => {
  it('is generated from the current catalogue (run `npm run docs` after changing a rule)', () => {
    const committed = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');

    expect(committed).toBe(renderRulesDoc(RULES));
  });

  it('documents every rule with its parameters and framework references', () => {
    const doc = renderRulesDoc(RULES);

    for (const rule of RULES) {
      expect(doc).toContain(`## \`${rule.id}\``);
      for (const name of Object.keys(rule.parameters)) expect(doc).toContain(`\`${name}\``);
    }
  });
});

describe('Rule catalogue metadata', () => {
  it('has unique ids, "X should Y" titles and complete metadata', () => {
    const ids = RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(`vpce-guard-${rule.id}`.length).toBeLessThanOrEqual(64);
      expect(rule.title, rule.id).toMatch(/ should /);
      expect(rule.description.length, rule.id).toBeGreaterThan(40);
      expect(rule.rationale.length, rule.id).toBeGreaterThan(40);
      expect(rule.remediation.length, rule.id).toBeGreaterThan(20);
      expect(rule.iamActions.length, rule.id).toBeGreaterThan(0);
      for (const action of rule.iamActions) expect(action).toMatch(/^[a-z0-9]+:[A-Za-z]+$/);
    }
  });

  it('cites PCI DSS 4.0 and HIPAA items whose text the frameworks module knows', () => {
    for (const rule of RULES) {
      const frameworks = new Set(rule.frameworks.map((ref) => ref.framework));
      expect(frameworks, rule.id).toEqual(new Set(['PCI-DSS-4.0', 'HIPAA']));
      for (const ref of rule.frameworks) {
        expect(requirementTitle(ref.framework, ref.id), `${rule.id} cites ${ref.id}`).toBeDefined();
      }
    }
  });
});
