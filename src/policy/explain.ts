import { statementLabel } from './document.js';
import type { GuardAnalysis, GuardGap, StatementAssessment, StatementProblem } from './guard.js';

/**
 * Sentences for annotations about a guard analysis. Annotations name the statement (Sid or
 * position), say what lets requests through and how to fix or accept it: the reader is the person
 * looking at the Config dashboard, not the policy author.
 */

interface ExplainWords {
  /** What the Deny is, e.g. "network Deny", "TLS Deny". */
  guard: string;
  /** What escapes: "S3 actions", "actions". */
  actions: string;
  /** The full action pattern to recommend, e.g. "s3:*". */
  allActions: string;
  /** Which parameter accepts an ANDed key as an exception, if the rule offers one. */
  exemptionParam?: string | undefined;
}

const describeProblem = (
  assessment: StatementAssessment,
  problem: StatementProblem,
  words: ExplainWords,
): string => {
  const label = statementLabel(assessment.statement);
  switch (problem.kind) {
    case 'allow':
      return `${label} is an Allow: it grants access but restricts nothing, and IAM identity policies can still grant access from anywhere; use a Deny`;
    case 'principal':
      return `${label} ${problem.detail}`;
    case 'guard-entry':
    case 'exemption':
      return `${label}: ${problem.detail}`;
    case 'narrowing': {
      const accept = words.exemptionParam
        ? `; if this is an intended exception, list ${problem.entry.key} in ${words.exemptionParam}`
        : '';
      return `${label} ANDs ${problem.entry.operator} on ${problem.entry.key} into the Deny, so requests that fail that test escape it${accept}`;
    }
  }
};

/**
 * One sentence per statement that was meant as a guard (it uses a guard key, or an exempted key
 * the wrong way round) but does not qualify, naming its first two problems; for an Allow, only that
 * it is an Allow.
 */
const describeRejections = (analysis: GuardAnalysis, words: ExplainWords): string[] =>
  analysis.rejected
    .filter(
      (assessment) =>
        assessment.mentionsGuard ||
        assessment.problems.some((problem) => problem.kind === 'exemption'),
    )
    .flatMap((assessment) => {
      const problems =
        assessment.statement.effect === 'Allow'
          ? assessment.problems.filter((problem) => problem.kind === 'allow')
          : assessment.problems.slice(0, 2);
      return problems.map((problem) => describeProblem(assessment, problem, words));
    });

const describeGap = (gap: GuardGap, words: ExplainWords): string => {
  const where = `${gap.target.label} (${gap.target.resource})`;
  if (gap.coveringGuards.length === 0) {
    if (gap.partialGuards.length > 0) {
      const reached = gap.partialGuards.flatMap((statement) => statement.resources.patterns);
      return `the ${words.guard} reaches only ${reached.join(', ')} of ${where}, so the rest escapes`;
    }
    return `no ${words.guard} covers ${where}, so every ${words.actions.replace(/s$/, '')} on it escapes`;
  }
  const labels = gap.coveringGuards.map(statementLabel).join(', ');
  const verb = gap.coveringGuards.length === 1 ? 'covers' : 'cover';
  if (gap.coveringGuards.every((statement) => statement.actions.kind === 'only')) {
    const actions = gap.coveringGuards.flatMap((statement) => statement.actions.patterns);
    return `on ${where} ${labels} ${verb} only ${actions.join(', ')}, so other ${words.actions} escape (use ${words.allActions})`;
  }
  const escapes = gap.escaping.length === 1 ? 'escapes' : 'escape';
  return `on ${where} ${gap.escaping.join(', ')} ${escapes} ${labels} (NotAction); use Action ${words.allActions}`;
};

/** "statement "A" denies" / "statements "A", #2 deny". */
const describeGuards = (analysis: GuardAnalysis): string => {
  const labels = analysis.guards.map((guard) => statementLabel(guard.statement));
  return labels.length === 1 ? `${labels[0]} denies` : `${labels.join(', ')} deny`;
};

/** "Accepted exceptions: aws:PrincipalArn in statement "A"." or ''. */
const describeExemptions = (analysis: GuardAnalysis): string => {
  const used = analysis.guards
    .filter((guard) => guard.exemptionsUsed.length > 0)
    .map((guard) => `${guard.exemptionsUsed.join(', ')} in ${statementLabel(guard.statement)}`);
  return used.length > 0 ? `Accepted exceptions: ${used.join('; ')}.` : '';
};

export type { ExplainWords };
export { describeExemptions, describeGap, describeGuards, describeProblem, describeRejections };
