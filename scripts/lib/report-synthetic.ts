import type { ComplianceType } from '../../src/model/compliance.js';
import type { ReportEvaluation } from '../../src/report/model.js';
import { RULES } from '../../src/rules/index.js';

/**
 * `count` report evaluations spread over `accounts` accounts, two regions and every rule of the
 * catalogue; a third fail with a long, policy-shaped reason, one in seven of the rest is not
 * applicable. Deterministic: the report benchmark and the report tests use it.
 */
const syntheticEvaluations = (count: number, accounts: number): ReportEvaluation[] =>
  Array.from({ length: count }, (_, index) => {
    const rule = RULES[index % RULES.length] as (typeof RULES)[number];
    const complianceType: ComplianceType =
      index % 3 === 0 ? 'NON_COMPLIANT' : index % 7 === 0 ? 'NOT_APPLICABLE' : 'COMPLIANT';
    const resourceId =
      rule.resourceType === 'AWS::S3::Bucket' ? `bucket-${index}` : `res-${index.toString(16)}`;
    const annotation = `${complianceType === 'NON_COMPLIANT' ? 'Violation' : 'OK'} for ${resourceId}`;
    return {
      accountId: String(100000000000 + (index % accounts)),
      region: index % 2 === 0 ? 'eu-west-1' : 'us-east-1',
      ruleId: rule.id,
      resourceType: rule.resourceType,
      resourceId,
      complianceType,
      annotation,
      detail:
        complianceType === 'NON_COMPLIANT'
          ? `${annotation}. Statement 2 allows s3:GetObject from any network path: aws:SourceVpce is absent from the request, so the Deny on StringNotEquals does not apply. ${'Further context. '.repeat(20)}`
          : annotation,
      evaluatedAt: '2026-11-20T10:00:00.000Z',
    };
  });

export { syntheticEvaluations };
