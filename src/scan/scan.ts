import {
  type ComplianceType,
  type Evaluation,
  notApplicable,
  unverifiable,
  type Verdict,
} from '../model/compliance.js';
import type { ResourceType } from '../model/resources.js';
import { type AnyRule, evaluatesInMemory } from '../rules/rule.js';
import { type GoneItem, type SkippedItem, SnapshotView } from '../sources/snapshot.js';
import type { AccountView, MemoryReads } from '../sources/view.js';
import { byCodeUnits } from '../util/order.js';
import { bindVerdict, type Judgement, judgeAll, judgeAllInMemory } from './evaluate.js';
import { memoryReadsOf } from './memory-view.js';

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
 * The account in memory when the view is a plain snapshot view: not a live view, and not a view
 * derived from a snapshot with reads of its own (those are read through the view).
 */
const memoryOf = (view: AccountView): MemoryReads | undefined =>
  view instanceof SnapshotView && Object.getPrototypeOf(view) === SnapshotView.prototype
    ? memoryReadsOf(view)
    : undefined;

/**
 * Runs every rule over every resource of its evaluated type: one evaluation per resource and rule,
 * NOT_APPLICABLE included, in a stable order: rule, then resource id in plain code-unit order (the
 * order of a sweep cursor; ids with upper case or `_`, such as legacy bucket names, sort as
 * ASCII does, not as a locale would).
 */
const scan = async (input: ScanInput): Promise<Evaluation[]> => {
  const evaluations: Evaluation[] = [];
  const memory = memoryOf(input.view);
  const together = memory ? await judgeTogether(input, memory) : new Map<AnyRule, Judgement>();
  for (const rule of input.rules) {
    const prepared = together.get(rule);
    // Taken once: a rule listed twice is judged again for its second listing.
    together.delete(rule);
    const { evaluations: judged, unjudged } =
      prepared ??
      (await judgeAll(
        rule,
        await input.view.list(rule.resourceType as ResourceType),
        input.view,
        input.params.get(rule.id),
        { concurrency: input.concurrency ?? 8, memory },
      ));
    // Reads that still failed after the retries: the resource is reported, never dropped.
    for (const { resource, reason } of unjudged) {
      judged.push(
        bindVerdict(
          unverifiable(`the resource could not be read after retries: ${reason}`),
          rule.id,
          resource,
        ),
      );
    }
    addUnlisted(rule, judged, input);
    judged.sort(byResourceId);
    for (const evaluation of judged) evaluations.push(evaluation);
  }
  return evaluations;
};

/**
 * Rules of one resource type that judge from memory, judged resource by resource (both bucket
 * rules read one policy text in turn, so its tokens are still at hand for the second).
 */
const judgeTogether = async (
  input: ScanInput,
  memory: MemoryReads,
): Promise<Map<AnyRule, Judgement>> => {
  const byType = new Map<string, AnyRule[]>();
  for (const rule of new Set(input.rules)) {
    if (!evaluatesInMemory(rule)) continue;
    const group = byType.get(rule.resourceType) ?? [];
    group.push(rule);
    byType.set(rule.resourceType, group);
  }
  const judged = new Map<AnyRule, Judgement>();
  for (const [type, rules] of byType) {
    if (rules.length < 2) continue;
    // In report order: each rule's evaluations then come sorted, and the sort below finds one run.
    const resources = (await input.view.list(type as ResourceType)).sort((a, b) =>
      byCodeUnits(a.id, b.id),
    );
    const params = rules.map((rule) => input.params.get(rule.id));
    const judgements = await judgeAllInMemory(rules, resources, input.view, memory, params, {
      concurrency: 1,
    });
    rules.forEach((rule, which) => {
      judged.set(rule, judgements[which] as Judgement);
    });
  }
  return judged;
};

const byResourceId = (a: Evaluation, b: Evaluation): number =>
  byCodeUnits(a.resource.id, b.resource.id);

/**
 * Resources the source could not show as readable and present still end with one verdict:
 * unreadable items NON_COMPLIANT with the reason, deleted ones NOT_APPLICABLE.
 */
const addUnlisted = (rule: AnyRule, judged: Evaluation[], input: ScanInput): void => {
  const skipped = (input.skipped ?? []).filter(
    (item) => item.resourceType === rule.resourceType && item.resourceId,
  );
  const gone = (input.gone ?? []).filter((item) => item.resourceType === rule.resourceType);
  if (skipped.length === 0 && gone.length === 0) return;
  const seen = new Set(judged.map((evaluation) => evaluation.resource.id));
  const add = (id: string, verdict: Verdict): void => {
    if (seen.has(id)) return;
    seen.add(id);
    judged.push(bindVerdict(verdict, rule.id, { type: rule.resourceType, id }));
  };
  for (const item of skipped) {
    add(
      item.resourceId as string,
      // NON_COMPLIANT as a failure to verify: counted with the other could-not-verify results.
      unverifiable(
        `the configuration item could not be read, so the resource cannot be judged: ${item.reason}`,
      ),
    );
  }
  for (const item of gone) {
    add(
      item.resourceId,
      notApplicable(
        `The resource is ${item.status === 'ResourceNotRecorded' ? 'no longer recorded' : 'deleted'}${item.captureTime ? ` (recorded ${item.captureTime})` : ''}.`,
      ),
    );
  }
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
