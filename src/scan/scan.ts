import {
  type ComplianceType,
  type Evaluation,
  nonCompliant,
  notApplicable,
  type Verdict,
} from '../model/compliance.js';
import type { ResourceType } from '../model/resources.js';
import type { AnyRule } from '../rules/rule.js';
import type { GoneItem, SkippedItem } from '../sources/snapshot.js';
import type { AccountView } from '../sources/view.js';
import { mapLimit } from '../util/concurrency.js';
import { evaluateResource } from './evaluate.js';

interface ScanInput {
  rules: readonly AnyRule[];
  view: AccountView;
  /** Parsed parameters per rule id (already validated). */
  params: ReadonlyMap<string, unknown>;
  /** Items of the source that could not be read: each still gets an evaluation for its type. */
  skipped?: readonly SkippedItem[];
  /** Resources the source shows as deleted: NOT_APPLICABLE, as AWS Config reports them. */
  gone?: readonly GoneItem[];
  /** Bounded parallelism over resources; the live view benefits, the snapshot view does not care. */
  concurrency?: number;
}

interface ScanSummary {
  total: number;
  byCompliance: Record<ComplianceType, number>;
  byRule: Record<string, Record<ComplianceType, number>>;
  unverifiable: number;
}

const emptyCounts = (): Record<ComplianceType, number> => ({
  COMPLIANT: 0,
  NON_COMPLIANT: 0,
  NOT_APPLICABLE: 0,
});

/**
 * Runs every rule over every resource of its evaluated type: one evaluation per resource and rule,
 * NOT_APPLICABLE included, in a stable order (rule, then resource id).
 */
const scan = async (input: ScanInput): Promise<Evaluation[]> => {
  const evaluations: Evaluation[] = [];
  for (const rule of input.rules) {
    const resources = await input.view.list(rule.resourceType as ResourceType);
    const params = input.params.get(rule.id);
    const judged = await mapLimit(resources, input.concurrency ?? 8, (resource) =>
      evaluateResource(rule, resource, input.view, params),
    );
    // Resources the source could not show as readable and present still end with one verdict:
    // unreadable items NON_COMPLIANT with the reason, deleted ones NOT_APPLICABLE.
    const unlisted: { id: string; verdict: Verdict }[] = [
      ...(input.skipped ?? []).flatMap((item) =>
        item.resourceType === rule.resourceType && item.resourceId
          ? [
              {
                id: item.resourceId,
                verdict: nonCompliant(
                  `The configuration item could not be read, so the resource cannot be judged: ${item.reason}`,
                ),
              },
            ]
          : [],
      ),
      ...(input.gone ?? []).flatMap((item) =>
        item.resourceType === rule.resourceType
          ? [
              {
                id: item.resourceId,
                verdict: notApplicable(
                  `The resource is ${item.status === 'ResourceNotRecorded' ? 'no longer recorded' : 'deleted'}${item.captureTime ? ` (recorded ${item.captureTime})` : ''}.`,
                ),
              },
            ]
          : [],
      ),
    ];
    const seen = new Set(judged.map((evaluation) => evaluation.resource.id));
    for (const { id, verdict } of unlisted) {
      if (seen.has(id)) continue;
      seen.add(id);
      judged.push({ ...verdict, ruleId: rule.id, resource: { type: rule.resourceType, id } });
    }
    judged.sort((a, b) => a.resource.id.localeCompare(b.resource.id));
    evaluations.push(...judged);
  }
  return evaluations;
};

const summarise = (evaluations: readonly Evaluation[]): ScanSummary => {
  const summary: ScanSummary = {
    total: evaluations.length,
    byCompliance: emptyCounts(),
    byRule: {},
    unverifiable: 0,
  };
  for (const evaluation of evaluations) {
    summary.byCompliance[evaluation.compliance] += 1;
    summary.byRule[evaluation.ruleId] ??= emptyCounts();
    (summary.byRule[evaluation.ruleId] as Record<ComplianceType, number>)[evaluation.compliance] +=
      1;
    if (evaluation.unverifiable) summary.unverifiable += 1;
  }
  return summary;
};

export type { ScanInput, ScanSummary };
export { scan, summarise };
