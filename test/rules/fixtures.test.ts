import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/rules/index.js';
import { parseParams } from '../../src/rules/params.js';
import { evaluateResource } from '../../src/scan/evaluate.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { ruleCases } from '../helpers/fixtures.js';

describe('Rule fixtures', () => {
  for (const rule of RULES) {
    const cases = ruleCases(rule.id);

    describe(`Rule: ${rule.id}`, () => {
      it('has compliant and non-compliant fixture cases', () => {
        const kinds = new Set(cases.map((testCase) => testCase.expected));
        expect(kinds).toContain('COMPLIANT');
        expect(kinds).toContain('NON_COMPLIANT');
      });

      for (const testCase of cases) {
        it(`returns ${testCase.expected} for ${testCase.file}: ${testCase.description}`, async () => {
          // Prepare
          const view = SnapshotView.fromItems(testCase.configurationItems);
          expect(view.skipped).toEqual([]);
          const resource = await view.get(rule.resourceType, testCase.resourceId);
          expect(
            resource,
            `fixture has no ${rule.resourceType} ${testCase.resourceId}`,
          ).toBeDefined();
          const params = parseParams(rule.id, rule.parameters, testCase.params);

          // Act
          const evaluation = await evaluateResource(rule, resource as never, view, params);

          // Assess
          expect(evaluation.compliance, evaluation.annotation).toBe(testCase.expected);
          expect(evaluation.annotation.length).toBeGreaterThan(0);
          for (const fragment of testCase.annotationIncludes ?? []) {
            expect(evaluation.annotation).toContain(fragment);
          }
        });
      }
    });
  }
});
