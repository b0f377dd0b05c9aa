import type { ComplianceType, Verdict } from '../model/compliance.js';
import type { EvidenceRecord } from '../model/evidence.js';
import { fitAnnotation } from './annotation.js';

/** What PutEvaluations takes for one resource (the SDK's `Evaluation`, minus the SDK import). */
interface ConfigEvaluation {
  ComplianceResourceType: string;
  ComplianceResourceId: string;
  ComplianceType: ComplianceType;
  Annotation?: string;
  OrderingTimestamp: Date;
}

interface Entry {
  type: string;
  id: string;
  verdict: Verdict;
  /** What Config receives: the rule's annotation, fitted to 256 characters as a safety net. */
  annotation: string | undefined;
  at: Date;
}

/** Where evidence records belong, and the rule's fix for the people reading them. */
interface EvidenceContext {
  accountId: string;
  region: string;
  ruleId: string;
  remediation: string;
}

/** One evaluation per resource; a later verdict for the same resource replaces the earlier one. */
class EvaluationSet {
  private readonly byKey = new Map<string, Entry>();

  add(ref: { type: string; id: string }, verdict: Verdict, at: Date): void {
    const key = `${ref.type}|${ref.id}`;
    this.byKey.delete(key);
    this.byKey.set(key, {
      type: ref.type,
      id: ref.id,
      verdict,
      annotation: fitAnnotation(verdict.annotation),
      at,
    });
  }

  has(type: string, id: string): boolean {
    return this.byKey.has(`${type}|${id}`);
  }

  get size(): number {
    return this.byKey.size;
  }

  counts(): Record<ComplianceType, number> {
    const counts: Record<ComplianceType, number> = {
      COMPLIANT: 0,
      NON_COMPLIANT: 0,
      NOT_APPLICABLE: 0,
    };
    for (const entry of this.byKey.values()) counts[entry.verdict.compliance] += 1;
    return counts;
  }

  toConfig(): ConfigEvaluation[] {
    const evaluations: ConfigEvaluation[] = [];
    for (const entry of this.byKey.values()) {
      evaluations.push({
        ComplianceResourceType: entry.type,
        ComplianceResourceId: entry.id,
        ComplianceType: entry.verdict.compliance,
        ...(entry.annotation === undefined ? {} : { Annotation: entry.annotation }),
        OrderingTimestamp: entry.at,
      });
    }
    return evaluations;
  }

  toEvidence(context: EvidenceContext): EvidenceRecord[] {
    const records: EvidenceRecord[] = [];
    for (const entry of this.byKey.values()) {
      const { verdict } = entry;
      records.push({
        schemaVersion: 1,
        accountId: context.accountId,
        region: context.region,
        ruleId: context.ruleId,
        resourceType: entry.type,
        resourceId: entry.id,
        complianceType: verdict.compliance,
        annotation: entry.annotation ?? '',
        detail: verdict.detail ?? verdict.annotation,
        ...(verdict.counterexample ? { counterexample: verdict.counterexample } : {}),
        ...(verdict.unverifiable ? { unverifiable: true } : {}),
        remediation: context.remediation,
        evaluatedAt: entry.at.toISOString(),
      });
    }
    return records;
  }
}

export type { ConfigEvaluation, EvidenceContext };
export { EvaluationSet };
