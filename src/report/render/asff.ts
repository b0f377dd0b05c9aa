import { createHash } from 'node:crypto';
import { ReportError } from '../../errors.js';
import { partitionOfRegion } from '../../util/partitions.js';
import type { ComplianceReport, ReportedEvaluation, RuleSection } from '../model.js';
import { consoleUrl, rulesById } from './common.js';

/** ASFF field limits (Security Hub API reference, AwsSecurityFinding). */
const ASFF_LIMITS = {
  title: 256,
  description: 1024,
  recommendation: 512,
  relatedRequirements: 32,
  productFieldValue: 2048,
  id: 512,
} as const;

const SEVERITY: Record<string, string> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
};

const COMPLIANCE_STATUS: Record<string, 'PASSED' | 'FAILED' | 'NOT_AVAILABLE'> = {
  COMPLIANT: 'PASSED',
  NON_COMPLIANT: 'FAILED',
  NOT_APPLICABLE: 'NOT_AVAILABLE',
};

/** ASFF resource types for the types the rules report on; the rest are `Other`. */
const RESOURCE_TYPES: Record<string, string> = {
  'AWS::S3::Bucket': 'AwsS3Bucket',
  'AWS::EC2::VPC': 'AwsEc2Vpc',
  'AWS::EC2::Subnet': 'AwsEc2Subnet',
  'AWS::EC2::RouteTable': 'AwsEc2RouteTable',
  'AWS::EC2::SecurityGroup': 'AwsEc2SecurityGroup',
  'AWS::EC2::VPCEndpointService': 'AwsEc2VpcEndpointService',
};

const ARN_PATHS: Record<string, string> = {
  'AWS::EC2::VPC': 'vpc',
  'AWS::EC2::Subnet': 'subnet',
  'AWS::EC2::RouteTable': 'route-table',
  'AWS::EC2::SecurityGroup': 'security-group',
  'AWS::EC2::VPCEndpoint': 'vpc-endpoint',
  'AWS::EC2::VPCEndpointService': 'vpc-endpoint-service',
  'AWS::EC2::NatGateway': 'natgateway',
};

const partitionOf = (region: string): string => partitionOfRegion(region) ?? 'aws';

const resourceArn = (evaluation: ReportedEvaluation): string => {
  if (evaluation.resourceId.startsWith('arn:')) return evaluation.resourceId;
  const partition = partitionOf(evaluation.region);
  if (evaluation.resourceType === 'AWS::S3::Bucket') {
    return `arn:${partition}:s3:::${evaluation.resourceId}`;
  }
  const path = ARN_PATHS[evaluation.resourceType];
  return path
    ? `arn:${partition}:ec2:${evaluation.region}:${evaluation.accountId}:${path}/${evaluation.resourceId}`
    : evaluation.resourceId;
};

/**
 * Stable per account, region, rule and resource, so a re-import updates the finding instead of
 * adding one. The resource part is hashed: ids can be long ARNs and the Id is capped at 512.
 */
const asffId = (evaluation: ReportedEvaluation): string => {
  const digest = createHash('sha256')
    .update(`${evaluation.resourceType}\n${evaluation.resourceId}`)
    .digest('hex')
    .slice(0, 32);
  return `vpce-guard/${evaluation.accountId}/${evaluation.region}/${evaluation.ruleId}/${digest}`;
};

/** Cuts at a word boundary, leaving room for `suffix`, never mid-word when avoidable. */
const fitText = (text: string, limit: number, suffix = ''): string => {
  if (text.length <= limit) return text;
  const room = limit - suffix.length - 1;
  const cut = text.slice(0, room);
  const space = cut.lastIndexOf(' ');
  return `${(space > room * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…${suffix}`;
};

const requirementLabel = (requirement: string): string => {
  const [framework, id] = requirement.split(' ');
  return framework === 'PCI-DSS-4.0' ? `PCI DSS v4.0/${id}` : `HIPAA Security Rule/${id}`;
};

interface AsffOptions {
  /** Turns an evidence key into a location people can open (`s3://bucket/key`). */
  evidenceLocation?: ((key: string) => string) | undefined;
}

const toFinding = (
  evaluation: ReportedEvaluation,
  rule: RuleSection | undefined,
  report: ComplianceReport,
  options: AsffOptions,
) => {
  const { accountId, region } = evaluation;
  const partition = partitionOf(region);
  const status = COMPLIANCE_STATUS[evaluation.complianceType] ?? 'NOT_AVAILABLE';
  const pointer = evaluation.evidenceKey
    ? ` Full reason: ${options.evidenceLocation?.(evaluation.evidenceKey) ?? evaluation.evidenceKey}`
    : ' Full reason: see the vpce-guard report.';
  const requirements = (rule?.requirements ?? []).map(requirementLabel);
  const suppression = evaluation.suppressed;
  const productFields: Record<string, string> = {
    'vpce-guard/RuleId': evaluation.ruleId,
    'vpce-guard/Status': evaluation.status,
    'vpce-guard/Since': evaluation.since,
    ...(evaluation.evidenceKey ? { 'vpce-guard/EvidenceKey': evaluation.evidenceKey } : {}),
    ...(evaluation.unverifiable ? { 'vpce-guard/Unverifiable': 'true' } : {}),
    ...(suppression
      ? {
          'vpce-guard/SuppressedReason': fitText(suppression.reason, ASFF_LIMITS.productFieldValue),
          'vpce-guard/SuppressedUntil': suppression.expires,
          ...(suppression.owner ? { 'vpce-guard/SuppressedBy': suppression.owner } : {}),
        }
      : {}),
  };
  const url = consoleUrl(evaluation);
  // Security Hub refuses a finding created after its last update.
  const created = [evaluation.since, report.generatedAt].sort()[0] as string;
  const severity =
    status === 'FAILED' ? (SEVERITY[rule?.severity ?? ''] ?? 'MEDIUM') : 'INFORMATIONAL';
  const types = [
    'Software and Configuration Checks/AWS Security Best Practices/Network Reachability',
    ...(requirements.some((label) => label.startsWith('PCI'))
      ? ['Software and Configuration Checks/Industry and Regulatory Standards/PCI-DSS Controls']
      : []),
    ...(requirements.some((label) => label.startsWith('HIPAA'))
      ? ['Software and Configuration Checks/Industry and Regulatory Standards/HIPAA Controls']
      : []),
  ];
  return {
    SchemaVersion: '2018-10-08',
    Id: asffId(evaluation),
    ProductArn: `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`,
    ProductName: 'vpce-guard',
    CompanyName: 'vpce-guard',
    GeneratorId: `vpce-guard-${evaluation.ruleId}`,
    AwsAccountId: accountId,
    Region: region,
    Types: types,
    FirstObservedAt: created,
    LastObservedAt: evaluation.evaluatedAt ?? report.generatedAt,
    CreatedAt: created,
    UpdatedAt: report.generatedAt,
    Severity: { Label: severity },
    FindingProviderFields: { Severity: { Label: severity }, Types: types },
    Title: fitText(rule?.title ?? evaluation.ruleId, ASFF_LIMITS.title),
    Description: fitText(
      evaluation.detail || evaluation.annotation || '-',
      ASFF_LIMITS.description,
      pointer,
    ),
    ...(rule?.remediation
      ? {
          Remediation: {
            Recommendation: { Text: fitText(rule.remediation, ASFF_LIMITS.recommendation) },
          },
        }
      : {}),
    ...(url ? { SourceUrl: url } : {}),
    ProductFields: productFields,
    Resources: [
      {
        Type: RESOURCE_TYPES[evaluation.resourceType] ?? 'Other',
        Id: resourceArn(evaluation),
        Partition: partition,
        Region: region,
        ...(RESOURCE_TYPES[evaluation.resourceType]
          ? {}
          : {
              Details: {
                Other: {
                  ConfigResourceType: evaluation.resourceType,
                  ResourceId: evaluation.resourceId,
                },
              },
            }),
      },
    ],
    Compliance: {
      Status: status,
      ...(requirements.length > 0
        ? { RelatedRequirements: requirements.slice(0, ASFF_LIMITS.relatedRequirements) }
        : {}),
    },
    RecordState: 'ACTIVE',
  };
};

type AsffFinding = ReturnType<typeof toFinding>;

/**
 * One ASFF finding per evaluation, ready for BatchImportFindings. Security Hub needs a real
 * 12-digit account and a region for each finding, so a report whose source did not say (a scan
 * of a snapshot without account ids) cannot be rendered as ASFF.
 */
const toAsffFindings = (report: ComplianceReport, options: AsffOptions = {}): AsffFinding[] => {
  const rules = rulesById(report);
  const unplaced = report.evaluations.find(
    (evaluation) => !/^\d{12}$/.test(evaluation.accountId) || evaluation.region === 'unknown',
  );
  if (unplaced) {
    throw new ReportError(
      `ASFF needs the account id and region of every evaluation; ${unplaced.key} has none (scan a snapshot whose items carry awsAccountId and awsRegion, or read Config)`,
    );
  }
  return report.evaluations.map((evaluation) =>
    toFinding(evaluation, rules.get(evaluation.ruleId), report, options),
  );
};

const renderAsff = (report: ComplianceReport, options: AsffOptions = {}): string =>
  `${JSON.stringify({ Findings: toAsffFindings(report, options) }, null, 2)}\n`;

export type { AsffFinding, AsffOptions };
export { ASFF_LIMITS, asffId, fitText, partitionOf, renderAsff, resourceArn, toAsffFindings };
