import { requirementTitle } from '../frameworks/requirements.js';
import { RULES } from '../rules/index.js';
import type { AnyRule } from '../rules/rule.js';
import { byCodeUnits } from '../util/order.js';
import { diffReports, extendTrend, sinceOf } from './history.js';
import {
  type AccountSection,
  type ComplianceReport,
  type CoverageGap,
  type CoverageSection,
  type EvaluationStatus,
  emptyStatusCounts,
  evaluationKey,
  REPORT_SCHEMA,
  REPORT_SCHEMA_VERSION,
  type ReportEvaluation,
  type ReportedEvaluation,
  type ReportSource,
  type RequirementSection,
  type ResourceSection,
  type RollupStatus,
  type RuleSection,
  STATUS_ORDER,
  type StatusCounts,
  toSuppressionEntry,
  worstOf,
} from './model.js';
import { type Suppression, SuppressionMatcher } from './suppressions.js';

interface BuildOptions {
  generatedAt: Date;
  source: ReportSource;
  /** The catalogue the report covers; every rule appears, evaluated or not. */
  rules?: readonly AnyRule[];
  /**
   * Accepted risks, matched at `generatedAt`. Absent: suppression marks already on the
   * evaluations (a scan's JSON) are kept as they are.
   */
  suppressions?: readonly Suppression[] | undefined;
  previous?: ComplianceReport | undefined;
  /** Where results are missing (Config and aggregator sources); absent for a scan's JSON. */
  coverage?: CoverageSection | undefined;
}

/** Gaps that leave a rule or a place without trustworthy results; outdated data and a stopped
 * recorder are listed but do not change a status (the results read are still there). */
const withoutResults = (gap: CoverageGap): boolean =>
  gap.kind === 'no-results' || gap.kind === 'source-failed';

const placeOf = (where: { accountId: string; region: string }): string =>
  `${where.accountId}/${where.region}`;

/** A status where results are missing: never better than INSUFFICIENT_DATA, still NON_COMPLIANT. */
const noBetterThanMissing = (status: RollupStatus): RollupStatus =>
  worstOf([status, 'INSUFFICIENT_DATA']) ?? status;

const gapLabel = (gap: CoverageGap): string =>
  gap.kind === 'no-results' ? `no results: ${gap.ruleId}` : gap.kind.replace('-', ' ');

const statusOf = (evaluation: ReportEvaluation): EvaluationStatus =>
  evaluation.complianceType === 'NON_COMPLIANT' && evaluation.suppressed
    ? 'SUPPRESSED'
    : evaluation.complianceType;

/** A rule's (or an account's) status from its evaluation counts. */
const rollup = (counts: StatusCounts, total: number): RollupStatus => {
  if (total === 0) return 'INSUFFICIENT_DATA';
  if (counts.NON_COMPLIANT > 0) return 'NON_COMPLIANT';
  if (counts.SUPPRESSED > 0) return 'SUPPRESSED';
  if (counts.COMPLIANT > 0) return 'COMPLIANT';
  return 'NOT_APPLICABLE';
};

const requirementOrder = (id: string): (number | string)[] =>
  id.split(/[.()]/).map((part) => (/^\d+$/.test(part) ? Number(part) : part));

const compareRequirementIds = (a: string, b: string): number => {
  const left = requirementOrder(a);
  const right = requirementOrder(b);
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const x = left[index];
    const y = right[index];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return byCodeUnits(String(x), String(y));
  }
  return 0;
};

/** Keeps the newest result per key: aggregators and repeated pages can return one twice. */
const dedupe = (evaluations: readonly ReportEvaluation[]): ReportEvaluation[] => {
  const byKey = new Map<string, ReportEvaluation>();
  for (const evaluation of evaluations) {
    const key = evaluationKey(evaluation);
    const seen = byKey.get(key);
    if (!seen || (evaluation.evaluatedAt ?? '') >= (seen.evaluatedAt ?? '')) {
      byKey.set(key, evaluation);
    }
  }
  return [...byKey.values()];
};

const buildRules = (
  rules: readonly AnyRule[],
  evaluations: readonly ReportedEvaluation[],
  gaps: readonly CoverageGap[],
): RuleSection[] => {
  const missing = new Map<string, string[]>();
  for (const gap of gaps) {
    if (gap.kind !== 'no-results' || !gap.ruleId) continue;
    missing.set(gap.ruleId, [...(missing.get(gap.ruleId) ?? []), placeOf(gap)]);
  }
  const counts = new Map<string, StatusCounts>();
  for (const evaluation of evaluations) {
    const tally = counts.get(evaluation.ruleId) ?? emptyStatusCounts();
    tally[evaluation.status] += 1;
    counts.set(evaluation.ruleId, tally);
  }
  const known = rules.map((rule): RuleSection => {
    const tally = counts.get(rule.id) ?? emptyStatusCounts();
    const total = Object.values(tally).reduce((sum, count) => sum + count, 0);
    const missingIn = missing.get(rule.id) ?? [];
    const status = rollup(tally, total);
    return {
      ruleId: rule.id,
      title: rule.title,
      severity: rule.severity,
      resourceType: rule.resourceType,
      remediation: rule.remediation,
      // Passing where it reported says nothing of the accounts where it did not.
      status: missingIn.length > 0 ? noBetterThanMissing(status) : status,
      counts: tally,
      missingIn,
      requirements: rule.frameworks.map(
        (ref: AnyRule['frameworks'][number]) => `${ref.framework} ${ref.id}`,
      ),
    };
  });
  // Results of rules this version does not know (a newer deployment) are still reported.
  const foreign = [...counts.entries()]
    .filter(([ruleId]) => !rules.some((rule) => rule.id === ruleId))
    .map(([ruleId, tally]): RuleSection => {
      const first = evaluations.find((evaluation) => evaluation.ruleId === ruleId);
      return {
        ruleId,
        title: ruleId,
        severity: 'unknown',
        resourceType: first?.resourceType ?? '',
        remediation: '',
        status: rollup(tally, 1),
        counts: tally,
        requirements: [],
        missingIn: [],
      };
    });
  return [...known, ...foreign];
};

const buildRequirements = (
  rules: readonly AnyRule[],
  sections: readonly RuleSection[],
  evaluations: readonly ReportedEvaluation[],
): RequirementSection[] => {
  const byRequirement = new Map<string, RequirementSection>();
  for (const rule of rules) {
    const status = sections.find((section) => section.ruleId === rule.id)?.status;
    for (const ref of rule.frameworks as AnyRule['frameworks']) {
      const id = `${ref.framework} ${ref.id}`;
      const section = byRequirement.get(id) ?? {
        framework: ref.framework,
        id: ref.id,
        title: requirementTitle(ref.framework, ref.id) ?? ref.id,
        status: 'INSUFFICIENT_DATA' as RollupStatus,
        rules: [],
        failing: [],
      };
      section.rules.push({
        ruleId: rule.id,
        strength: ref.strength,
        status: status ?? 'INSUFFICIENT_DATA',
      });
      byRequirement.set(id, section);
    }
  }
  const failingByRule = new Map<string, string[]>();
  for (const evaluation of evaluations) {
    if (evaluation.status !== 'NON_COMPLIANT') continue;
    const keys = failingByRule.get(evaluation.ruleId) ?? [];
    keys.push(evaluation.key);
    failingByRule.set(evaluation.ruleId, keys);
  }
  const sectionsOut = [...byRequirement.values()];
  for (const section of sectionsOut) {
    section.status = worstOf(section.rules.map((rule) => rule.status)) ?? 'INSUFFICIENT_DATA';
    section.failing = section.rules.flatMap((rule) => failingByRule.get(rule.ruleId) ?? []);
  }
  return sectionsOut.sort(
    (a, b) => byCodeUnits(a.framework, b.framework) || compareRequirementIds(a.id, b.id),
  );
};

const buildAccounts = (
  evaluations: readonly ReportedEvaluation[],
  gaps: readonly CoverageGap[],
): AccountSection[] => {
  const byAccount = new Map<string, AccountSection>();
  const sectionOf = (where: { accountId: string; region: string }): AccountSection => {
    const id = placeOf(where);
    const section = byAccount.get(id) ?? {
      accountId: where.accountId,
      region: where.region,
      status: 'NOT_APPLICABLE' as RollupStatus,
      counts: emptyStatusCounts(),
      gaps: [],
    };
    byAccount.set(id, section);
    return section;
  };
  for (const evaluation of evaluations) sectionOf(evaluation).counts[evaluation.status] += 1;
  // A place with gaps only (no result at all) still gets its row: that is the point of reading them.
  for (const gap of gaps) sectionOf(gap).gaps.push(gapLabel(gap));
  const silent = new Set(gaps.filter(withoutResults).map(placeOf));
  return [...byAccount.values()]
    .map((section) => {
      const total = Object.values(section.counts).reduce((sum, count) => sum + count, 0);
      const status = rollup(section.counts, total);
      return {
        ...section,
        status: silent.has(placeOf(section)) ? noBetterThanMissing(status) : status,
      };
    })
    .sort((a, b) => byCodeUnits(a.accountId, b.accountId) || byCodeUnits(a.region, b.region));
};

const buildResources = (evaluations: readonly ReportedEvaluation[]): ResourceSection[] => {
  const byResource = new Map<string, { section: ResourceSection; statuses: RollupStatus[] }>();
  for (const evaluation of evaluations) {
    const id = [
      evaluation.accountId,
      evaluation.region,
      evaluation.resourceType,
      evaluation.resourceId,
    ].join('/');
    const entry = byResource.get(id) ?? {
      section: {
        accountId: evaluation.accountId,
        region: evaluation.region,
        resourceType: evaluation.resourceType,
        resourceId: evaluation.resourceId,
        status: 'NOT_APPLICABLE' as RollupStatus,
        failingRules: [],
        since: evaluation.since,
      },
      statuses: [],
    };
    entry.statuses.push(evaluation.status);
    if (evaluation.status === 'NON_COMPLIANT') {
      // Failing since the oldest open failure.
      if (entry.section.failingRules.length === 0 || evaluation.since < entry.section.since) {
        entry.section.since = evaluation.since;
      }
      entry.section.failingRules.push(evaluation.ruleId);
    } else if (entry.section.failingRules.length === 0 && evaluation.since > entry.section.since) {
      entry.section.since = evaluation.since;
    }
    byResource.set(id, entry);
  }
  return [...byResource.values()]
    .map(({ section, statuses }) => ({ ...section, status: worstOf(statuses) ?? section.status }))
    .sort(
      (a, b) =>
        STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
        byCodeUnits(a.accountId, b.accountId) ||
        byCodeUnits(a.region, b.region) ||
        byCodeUnits(a.resourceId, b.resourceId),
    );
};

/**
 * Builds the report model every format renders: evaluations (suppression applied, status since
 * when), per rule, per requirement (worst of its mapped rules), per account/region, per resource,
 * the diff against the previous report and the trend.
 */
const buildReport = (
  input: readonly ReportEvaluation[],
  options: BuildOptions,
): ComplianceReport => {
  const rules = options.rules ?? RULES;
  const generatedAt = options.generatedAt.toISOString();
  const matcher = options.suppressions
    ? new SuppressionMatcher(options.suppressions, options.generatedAt)
    : undefined;
  const previous = new Map(
    (options.previous?.evaluations ?? []).map((evaluation) => [evaluation.key, evaluation]),
  );
  const evaluations: ReportedEvaluation[] = dedupe(input).map((raw) => {
    let evaluation: ReportEvaluation = raw;
    if (matcher) {
      const { suppressed: _ignored, ...rest } = raw;
      // Only failures are matched: an entry that only covers passing resources is unused.
      const mark =
        raw.complianceType === 'NON_COMPLIANT'
          ? matcher.match({
              ruleId: raw.ruleId,
              resourceId: raw.resourceId,
              accountId: raw.accountId,
              region: raw.region,
            })
          : undefined;
      evaluation = mark ? { ...rest, suppressed: mark } : rest;
    }
    const key = evaluationKey(evaluation);
    const status = statusOf(evaluation);
    return {
      ...evaluation,
      key,
      status,
      since: sinceOf({ ...evaluation, key, status }, previous, generatedAt),
    };
  });
  evaluations.sort(
    (a, b) =>
      STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || byCodeUnits(a.key, b.key),
  );
  const gaps = options.coverage?.gaps ?? [];
  const ruleSections = buildRules(rules, evaluations, gaps);
  const requirements = buildRequirements(rules, ruleSections, evaluations);
  const accounts = buildAccounts(evaluations, gaps);
  const resources = buildResources(evaluations);
  const counts = emptyStatusCounts();
  for (const evaluation of evaluations) counts[evaluation.status] += 1;
  const usage = matcher?.usage();
  return {
    schema: REPORT_SCHEMA,
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt,
    source: options.source,
    summary: {
      evaluations: evaluations.length,
      counts,
      failing: counts.NON_COMPLIANT,
      unverifiable: evaluations.filter((evaluation) => evaluation.unverifiable).length,
      accounts: new Set(accounts.map((section) => section.accountId)).size,
      regions: new Set(accounts.map((section) => section.region)).size,
      resources: resources.length,
      requirementsFailing: requirements.filter((section) => section.status === 'NON_COMPLIANT')
        .length,
      requirementsTotal: requirements.length,
      coverageGaps: gaps.length,
    },
    rules: ruleSections,
    requirements,
    accounts,
    resources,
    evaluations,
    ...(options.coverage ? { coverage: options.coverage } : {}),
    ...(options.previous ? { diff: diffReports(options.previous, evaluations, generatedAt) } : {}),
    trend: extendTrend(options.previous, {
      generatedAt,
      total: evaluations.length,
      failing: counts.NON_COMPLIANT,
      suppressed: counts.SUPPRESSED,
      compliant: counts.COMPLIANT,
    }),
    suppressions: {
      active: (usage?.active ?? []).map(toSuppressionEntry),
      expired: (usage?.expired ?? []).map(toSuppressionEntry),
      unused: (usage?.unused ?? []).map(toSuppressionEntry),
    },
  };
};

export type { BuildOptions };
export { buildReport, compareRequirementIds };
