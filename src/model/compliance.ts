import type { ResourceRef } from './resources.js';

/** What PutEvaluations accepts; INSUFFICIENT_DATA is rejected by AWS Config for custom rules. */
type ComplianceType = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

/**
 * A rule's judgement of one resource. The annotation is written for the person reading the Config
 * dashboard: what is wrong, where (statement, route, rule), and what to do. The engine shortens it
 * to Config's 256 characters; the CLI and reports keep it whole.
 */
interface Verdict {
  compliance: ComplianceType;
  /**
   * Exactly what AWS Config receives: at most 256 characters, written to fit (cause first, then the
   * fix). Rules write it short; the engine's cut is only a safety net.
   */
  annotation: string;
  /** The full explanation for people (CLI table, JSON, evidence, alerts, reports); no length limit. */
  detail?: string | undefined;
  /** One concrete request that gets through, for NON_COMPLIANT policy verdicts (not "could not verify"). */
  counterexample?: Counterexample | undefined;
  /** The scanner could not read what it needed (AccessDenied); reported NON_COMPLIANT, flagged. */
  unverifiable?: boolean | undefined;
}

/**
 * A concrete request a policy lets through. `context` holds every condition key the decision depends
 * on; a key absent from the request is `null`.
 */
interface Counterexample {
  principal: string;
  action: string;
  resource: string;
  context: Record<string, string | readonly string[] | null>;
}

/** A verdict bound to the resource and rule it is about. */
interface Evaluation extends Verdict {
  ruleId: string;
  resource: ResourceRef;
  /** Set by multi-region live scans; a snapshot covers one account/region. */
  region?: string | undefined;
}

const compliant = (annotation: string): Verdict => ({ compliance: 'COMPLIANT', annotation });
const nonCompliant = (annotation: string): Verdict => ({ compliance: 'NON_COMPLIANT', annotation });
const notApplicable = (annotation: string): Verdict => ({
  compliance: 'NOT_APPLICABLE',
  annotation,
});
const unverifiable = (annotation: string): Verdict => ({
  compliance: 'NON_COMPLIANT',
  annotation: annotation.startsWith('Could not verify')
    ? annotation
    : `Could not verify: ${annotation}`,
  unverifiable: true,
});

export type { ComplianceType, Counterexample, Evaluation, Verdict };
export { compliant, nonCompliant, notApplicable, unverifiable };
