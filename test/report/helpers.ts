import { syntheticEvaluations } from '../../scripts/lib/report-synthetic.js';
import type { ComplianceType } from '../../src/model/compliance.js';
import type { ReportEvaluation } from '../../src/report/model.js';
import { RULES } from '../../src/rules/index.js';

/** A report input evaluation with the fields a Config read would give; override what matters. */
const evaluation = (
  overrides: Partial<ReportEvaluation> & { ruleId: string; resourceId: string },
): ReportEvaluation => {
  const rule = RULES.find((candidate) => candidate.id === overrides.ruleId);
  const complianceType: ComplianceType = overrides.complianceType ?? 'NON_COMPLIANT';
  const annotation = overrides.annotation ?? `${complianceType} ${overrides.resourceId}`;
  return {
    accountId: '111122223333',
    region: 'eu-west-1',
    resourceType: rule?.resourceType ?? 'AWS::S3::Bucket',
    complianceType,
    annotation,
    detail: overrides.detail ?? annotation,
    evaluatedAt: '2026-11-20T10:00:00.000Z',
    ...overrides,
  };
};

/** What Config answers a reader that goes too fast (retryable). */
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

export { evaluation, syntheticEvaluations, throttled };
