import type { ComplianceReport, ReportedEvaluation, RuleSection } from '../model.js';
import { partitionOf, resourceArn } from './asff.js';
import { rulesById } from './common.js';

/** OCSF schema version the findings follow (Compliance Finding, class 2003, category Findings). */
const OCSF_VERSION = '1.3.0';
const CLASS_UID = 2003;
const CATEGORY_UID = 2;
/** activity_id 1 = Create: each report states the current result. */
const ACTIVITY_ID = 1;

const SEVERITY_ID: Record<string, number> = { low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAME: Record<number, string> = {
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
};

/** compliance.status_id: 1 Pass, 3 Fail, 99 Other (not applicable). */
const COMPLIANCE_STATUS: Record<string, { id: number; name: string }> = {
  COMPLIANT: { id: 1, name: 'Pass' },
  NON_COMPLIANT: { id: 3, name: 'Fail' },
  NOT_APPLICABLE: { id: 99, name: 'Not Applicable' },
};

/** Finding status_id: 1 New, 3 Suppressed, 4 Resolved. */
const findingStatus = (evaluation: ReportedEvaluation): { id: number; name: string } => {
  if (evaluation.status === 'SUPPRESSED') return { id: 3, name: 'Suppressed' };
  if (evaluation.status === 'NON_COMPLIANT') return { id: 1, name: 'New' };
  return { id: 4, name: 'Resolved' };
};

const standardName = (framework: string): string =>
  framework === 'PCI-DSS-4.0' ? 'PCI DSS 4.0' : 'HIPAA Security Rule';

const toOcsf = (
  evaluation: ReportedEvaluation,
  rule: RuleSection | undefined,
  report: ComplianceReport,
) => {
  const failing = evaluation.complianceType === 'NON_COMPLIANT';
  const severityId = failing ? (SEVERITY_ID[rule?.severity ?? ''] ?? 3) : 1;
  const compliance = COMPLIANCE_STATUS[evaluation.complianceType] ?? { id: 0, name: 'Unknown' };
  const status = findingStatus(evaluation);
  const requirements = rule?.requirements ?? [];
  const time = Date.parse(evaluation.evaluatedAt ?? report.generatedAt);
  const known = evaluation.accountId !== 'unknown';
  return {
    category_uid: CATEGORY_UID,
    category_name: 'Findings',
    class_uid: CLASS_UID,
    class_name: 'Compliance Finding',
    activity_id: ACTIVITY_ID,
    activity_name: 'Create',
    type_uid: CLASS_UID * 100 + ACTIVITY_ID,
    type_name: 'Compliance Finding: Create',
    time,
    severity_id: severityId,
    severity: SEVERITY_NAME[severityId],
    status_id: status.id,
    status: status.name,
    message: evaluation.annotation,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'vpce-guard', vendor_name: 'vpce-guard', version: '0.1.0' },
      event_code: evaluation.ruleId,
      processed_time: Date.parse(report.generatedAt),
    },
    finding_info: {
      // The same identity as the ASFF Id's inputs: stable per account/region/rule/resource.
      uid: `vpce-guard/${evaluation.key}`,
      title: rule?.title ?? evaluation.ruleId,
      desc: evaluation.detail,
      types: ['Network isolation'],
      first_seen_time: Date.parse(evaluation.since),
      last_seen_time: time,
    },
    compliance: {
      control: evaluation.ruleId,
      standards: [...new Set(requirements.map((entry) => standardName(entry.split(' ')[0] ?? '')))],
      requirements: requirements.map((entry) => {
        const [framework, id] = entry.split(' ');
        return `${standardName(framework ?? '')} ${id}`;
      }),
      status_id: compliance.id,
      status: compliance.name,
      status_code: evaluation.complianceType,
      status_detail: evaluation.detail,
    },
    resources: [
      {
        uid: known ? resourceArn(evaluation) : evaluation.resourceId,
        name: evaluation.resourceId,
        type: evaluation.resourceType,
        region: evaluation.region,
        cloud_partition: partitionOf(evaluation.region),
        ...(known
          ? { owner: { account: { uid: evaluation.accountId, type: 'AWS Account' } } }
          : {}),
      },
    ],
    cloud: {
      provider: 'AWS',
      region: evaluation.region,
      ...(known
        ? { account: { uid: evaluation.accountId, type: 'AWS Account', type_id: 10 } }
        : {}),
    },
    remediation: {
      desc: rule?.remediation ?? '',
      references: [`vpce-guard rules ${evaluation.ruleId}`],
    },
    unmapped: {
      unverifiable: evaluation.unverifiable === true,
      ...(evaluation.evidenceKey ? { evidence_key: evaluation.evidenceKey } : {}),
      ...(evaluation.suppressed ? { suppression: evaluation.suppressed } : {}),
    },
  };
};

type OcsfFinding = ReturnType<typeof toOcsf>;

/** One OCSF Compliance Finding per evaluation. */
const toOcsfFindings = (report: ComplianceReport): OcsfFinding[] => {
  const rules = rulesById(report);
  return report.evaluations.map((evaluation) =>
    toOcsf(evaluation, rules.get(evaluation.ruleId), report),
  );
};

/** A JSON array of findings (what OCSF-reading tools such as Security Lake loaders accept). */
const renderOcsf = (report: ComplianceReport): string =>
  `${JSON.stringify(toOcsfFindings(report), null, 2)}\n`;

export type { OcsfFinding };
export { OCSF_VERSION, renderOcsf, toOcsfFindings };
