/** Comparing a scan's findings with what a synthetic account was built to contain. */
import type { Evaluation } from '../../src/model/compliance.js';
import { RULES } from '../../src/rules/index.js';
import { parseParams } from '../../src/rules/params.js';
import type { Expectations } from './synth.js';

/** Every rule at its default parameters: the setting the expectations are built for. */
const defaultParams = (): Map<string, unknown> =>
  new Map(RULES.map((rule) => [rule.id, parseParams(rule.id, rule.parameters, {})]));

const countByRule = (
  evaluations: readonly Evaluation[],
  which: (evaluation: Evaluation) => boolean = () => true,
): Record<string, number> => {
  const counts: Record<string, number> = Object.fromEntries(RULES.map((rule) => [rule.id, 0]));
  for (const evaluation of evaluations) {
    if (which(evaluation)) counts[evaluation.ruleId] = (counts[evaluation.ruleId] ?? 0) + 1;
  }
  return counts;
};

const nonCompliantByRule = (evaluations: readonly Evaluation[]): Record<string, number> =>
  countByRule(evaluations, (evaluation) => evaluation.compliance === 'NON_COMPLIANT');

/** Rules whose NON_COMPLIANT count differs from the constructed one, described; empty when all agree. */
const countMismatches = (
  found: Record<string, number>,
  expected: Expectations,
  rules: readonly string[] = Object.keys(expected.nonCompliant),
): string[] =>
  rules
    .filter((rule) => (found[rule] ?? 0) !== expected.nonCompliant[rule])
    .map((rule) => `${rule} ${found[rule] ?? 0} (expected ${expected.nonCompliant[rule]})`);

export { countByRule, countMismatches, defaultParams, nonCompliantByRule };
