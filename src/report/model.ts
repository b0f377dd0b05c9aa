import type { ComplianceType, Counterexample } from '../model/compliance.js';
import type { Severity } from '../rules/rule.js';
import type { SuppressionMark, SuppressionUsage } from './suppressions.js';

/** Bumped on any change a consumer of the JSON report could notice; documented in docs/report.md. */
const REPORT_SCHEMA = 'vpce-guard/compliance-report';
const REPORT_SCHEMA_VERSION = 2;
/** Versions a report may have been written in and still serve as the previous one (v2 added `coverage`). */
const PREVIOUS_SCHEMA_VERSIONS: readonly number[] = [1, 2];

/** Account id used when the source does not say (a snapshot scan's JSON carries none). */
const UNKNOWN_ACCOUNT = 'unknown';
const UNKNOWN_REGION = 'unknown';

/**
 * Status of a rule or requirement, worst first. INSUFFICIENT_DATA: the rule produced no result at
 * all (not deployed, never ran, or not selected), as AWS Config calls it. SUPPRESSED: its only
 * failures are accepted risks.
 */
const STATUS_ORDER = [
  'NON_COMPLIANT',
  'INSUFFICIENT_DATA',
  'SUPPRESSED',
  'COMPLIANT',
  'NOT_APPLICABLE',
] as const;
type RollupStatus = (typeof STATUS_ORDER)[number];

/** One evaluation as every source delivers it, joined with its evidence. */
interface ReportEvaluation {
  accountId: string;
  region: string;
  ruleId: string;
  /** The Config rule name it came from (organization rules carry a suffix). */
  configRuleName?: string | undefined;
  resourceType: string;
  resourceId: string;
  /** The true verdict (AWS Config's or the scan's); suppression never changes it. */
  complianceType: ComplianceType;
  /** What AWS Config stores (<= 256 characters). */
  annotation: string;
  /** The full reason from the evidence object, or the annotation when there is none. */
  detail: string;
  counterexample?: Counterexample | undefined;
  unverifiable?: boolean | undefined;
  /** ISO time of the evaluation (OrderingTimestamp). */
  evaluatedAt?: string | undefined;
  /** Evidence object key in the report bucket, when the full reason came from one. */
  evidenceKey?: string | undefined;
  suppressed?: SuppressionMark | undefined;
}

/** Effective status of one evaluation: its verdict, unless an accepted risk covers a failure. */
type EvaluationStatus = ComplianceType | 'SUPPRESSED';

interface ReportedEvaluation extends ReportEvaluation {
  /** Stable identity: account/region/rule/resource type/resource id. */
  key: string;
  status: EvaluationStatus;
  /** ISO time since which the evaluation has had this status (carried over from earlier reports). */
  since: string;
}

type StatusCounts = Record<EvaluationStatus, number>;

interface RuleSection {
  ruleId: string;
  title: string;
  severity: Severity | 'unknown';
  resourceType: string;
  remediation: string;
  status: RollupStatus;
  counts: StatusCounts;
  requirements: string[];
  /** Account/region pairs where the rule is silent although Config records its resource type. */
  missingIn: string[];
}

interface ResourceSection {
  accountId: string;
  region: string;
  resourceType: string;
  resourceId: string;
  status: RollupStatus;
  /** Rules failing on this resource (suppressed failures excluded). */
  failingRules: string[];
  since: string;
}

interface AccountSection {
  accountId: string;
  region: string;
  status: RollupStatus;
  counts: StatusCounts;
  /** Rules without results here, and source problems, from the coverage reads. */
  gaps: string[];
}

interface RequirementRule {
  ruleId: string;
  strength: 'evidence' | 'supporting';
  status: RollupStatus;
}

interface RequirementSection {
  framework: 'PCI-DSS-4.0' | 'HIPAA';
  id: string;
  title: string;
  status: RollupStatus;
  rules: RequirementRule[];
  /** Keys of the failing evaluations of the mapped rules: the evidence of the status. */
  failing: string[];
}

interface OpenFinding {
  key: string;
  since: string;
  ageDays: number;
}

interface ReportDiff {
  previousGeneratedAt: string;
  /** Failing now, not failing in the previous report. */
  new: string[];
  /** Failing in the previous report, not now; `now` says what it became (`GONE`: no longer reported). */
  resolved: { key: string; now: EvaluationStatus | 'GONE' }[];
  stillOpen: OpenFinding[];
}

interface TrendPoint {
  generatedAt: string;
  total: number;
  failing: number;
  suppressed: number;
  compliant: number;
}

interface SuppressionSummary {
  active: SuppressionReportEntry[];
  expired: SuppressionReportEntry[];
  unused: SuppressionReportEntry[];
}

interface SuppressionReportEntry {
  entry: number;
  ruleId: string;
  resource: string;
  account?: string | undefined;
  region?: string | undefined;
  reason: string;
  expires: string;
  owner?: string | undefined;
  matched: number;
}

/**
 * Why a place has no results where it should: a rule silent where AWS Config records resources of
 * its type (`no-results`), Config not recording (`recorder-off`: no change triggers the rules), or
 * an aggregator source Config could not collect (`source-failed`) or holds old data of
 * (`source-outdated`).
 */
type CoverageGapKind = 'no-results' | 'recorder-off' | 'source-failed' | 'source-outdated';

interface CoverageGap {
  kind: CoverageGapKind;
  /** The account, or the organization id of an organization source of an aggregator. */
  accountId: string;
  region: string;
  /** `no-results` only: the silent rule, its resource type and how many of those Config records. */
  ruleId?: string | undefined;
  resourceType?: string | undefined;
  recorded?: number | undefined;
  reason: string;
}

interface CoverageSection {
  /** False when the coverage reads failed: gaps beyond those listed may exist. */
  checked: boolean;
  /** What was compared, or why it could not be. */
  note: string;
  gaps: CoverageGap[];
}

interface ReportSource {
  kind: 'scan' | 'config' | 'aggregator';
  /** Snapshot path, account id or aggregator name. */
  name?: string | undefined;
}

interface ComplianceReport {
  schema: typeof REPORT_SCHEMA;
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  generatedAt: string;
  source: ReportSource;
  summary: {
    evaluations: number;
    counts: StatusCounts;
    /** NON_COMPLIANT and not suppressed: what fails the CLI and pages people. */
    failing: number;
    unverifiable: number;
    accounts: number;
    regions: number;
    resources: number;
    requirementsFailing: number;
    requirementsTotal: number;
    /** Coverage gaps (places and rules without results); 0 when coverage was not read. */
    coverageGaps: number;
  };
  rules: RuleSection[];
  requirements: RequirementSection[];
  accounts: AccountSection[];
  resources: ResourceSection[];
  evaluations: ReportedEvaluation[];
  /** Where results are missing; absent when the source cannot tell (a scan's JSON). */
  coverage?: CoverageSection | undefined;
  diff?: ReportDiff | undefined;
  trend: TrendPoint[];
  suppressions: SuppressionSummary;
}

const emptyStatusCounts = (): StatusCounts => ({
  NON_COMPLIANT: 0,
  SUPPRESSED: 0,
  COMPLIANT: 0,
  NOT_APPLICABLE: 0,
});

const worstOf = (statuses: Iterable<RollupStatus>): RollupStatus | undefined => {
  let worst: RollupStatus | undefined;
  for (const status of statuses) {
    if (worst === undefined || STATUS_ORDER.indexOf(status) < STATUS_ORDER.indexOf(worst)) {
      worst = status;
    }
  }
  return worst;
};

const evaluationKey = (evaluation: {
  accountId: string;
  region: string;
  ruleId: string;
  resourceType: string;
  resourceId: string;
}): string =>
  [
    evaluation.accountId,
    evaluation.region,
    evaluation.ruleId,
    evaluation.resourceType,
    evaluation.resourceId,
  ].join('/');

const toSuppressionEntry = (use: SuppressionUsage): SuppressionReportEntry => ({
  entry: use.suppression.index,
  ruleId: use.suppression.ruleId,
  resource: use.suppression.resource,
  ...(use.suppression.account ? { account: use.suppression.account } : {}),
  ...(use.suppression.region ? { region: use.suppression.region } : {}),
  reason: use.suppression.reason,
  expires: use.suppression.expires,
  ...(use.suppression.owner ? { owner: use.suppression.owner } : {}),
  matched: use.matched,
});

export type {
  AccountSection,
  ComplianceReport,
  CoverageGap,
  CoverageGapKind,
  CoverageSection,
  EvaluationStatus,
  OpenFinding,
  ReportDiff,
  ReportEvaluation,
  ReportedEvaluation,
  ReportSource,
  RequirementRule,
  RequirementSection,
  ResourceSection,
  RollupStatus,
  RuleSection,
  StatusCounts,
  SuppressionReportEntry,
  SuppressionSummary,
  TrendPoint,
};
export {
  emptyStatusCounts,
  evaluationKey,
  PREVIOUS_SCHEMA_VERSIONS,
  REPORT_SCHEMA,
  REPORT_SCHEMA_VERSION,
  STATUS_ORDER,
  toSuppressionEntry,
  UNKNOWN_ACCOUNT,
  UNKNOWN_REGION,
  worstOf,
};
