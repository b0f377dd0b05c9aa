import {
  type ConfigServiceClient,
  DescribeAggregateComplianceByConfigRulesCommand,
  DescribeComplianceByConfigRuleCommand,
  type EvaluationResult,
  GetAggregateComplianceDetailsByConfigRuleCommand,
  GetComplianceDetailsByConfigRuleCommand,
} from '@aws-sdk/client-config-service';
import { ruleIdOfRuleName } from '../../alerts/rule-names.js';
import type { ComplianceType } from '../../model/compliance.js';
import type { ReportEvaluation } from '../model.js';
import { PacedCaller, type PacingOptions } from './paging.js';

const VERDICTS = new Set<string>(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']);

interface ConfigReadResult {
  evaluations: ReportEvaluation[];
  /** Config rules of this product that were read. */
  ruleNames: string[];
  warnings: string[];
  calls: number;
  retries: number;
}

interface ConfigReadOptions extends PacingOptions {
  client: ConfigServiceClient;
  ruleIds: readonly string[];
}

const toEvaluation = (
  result: EvaluationResult,
  ruleId: string,
  accountId: string,
  region: string,
): ReportEvaluation | undefined => {
  const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
  // INSUFFICIENT_DATA is a rule state, never a resource verdict; nothing to report per resource.
  if (!qualifier?.ResourceId || !result.ComplianceType || !VERDICTS.has(result.ComplianceType)) {
    return undefined;
  }
  const annotation = result.Annotation ?? '';
  return {
    accountId,
    region,
    ruleId,
    configRuleName: qualifier.ConfigRuleName,
    resourceType: qualifier.ResourceType ?? 'unknown',
    resourceId: qualifier.ResourceId,
    complianceType: result.ComplianceType as ComplianceType,
    annotation,
    detail: annotation,
    ...(annotation.startsWith('Could not verify') ? { unverifiable: true } : {}),
    evaluatedAt: result.EvaluationResultIdentifier?.OrderingTimestamp?.toISOString(),
  };
};

/**
 * One account and region: the product's rules found with DescribeComplianceByConfigRule (every
 * rule, paged, names filtered), then each rule's per-resource results with
 * GetComplianceDetailsByConfigRule (100 per page, every verdict including NOT_APPLICABLE).
 */
const readAccountCompliance = async (
  options: ConfigReadOptions & { accountId: string; region: string },
): Promise<ConfigReadResult> => {
  const warnings: string[] = [];
  const caller = new PacedCaller({ ...options, warn: (message) => warnings.push(message) });
  const ruleNames = new Map<string, string>();
  for await (const page of caller.pages('DescribeComplianceByConfigRule', (NextToken) =>
    options.client.send(new DescribeComplianceByConfigRuleCommand({ NextToken })),
  )) {
    for (const entry of page.ComplianceByConfigRules ?? []) {
      const name = entry.ConfigRuleName;
      const ruleId = name ? ruleIdOfRuleName(name, options.ruleIds) : undefined;
      if (name && ruleId) ruleNames.set(name, ruleId);
    }
  }
  const evaluations: ReportEvaluation[] = [];
  for (const [name, ruleId] of [...ruleNames].sort()) {
    for await (const page of caller.pages(`GetComplianceDetailsByConfigRule ${name}`, (NextToken) =>
      options.client.send(
        new GetComplianceDetailsByConfigRuleCommand({
          ConfigRuleName: name,
          ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'],
          Limit: 100,
          NextToken,
        }),
      ),
    )) {
      for (const result of page.EvaluationResults ?? []) {
        const evaluation = toEvaluation(result, ruleId, options.accountId, options.region);
        if (evaluation) evaluations.push(evaluation);
      }
    }
  }
  return {
    evaluations,
    ruleNames: [...ruleNames.keys()].sort(),
    warnings,
    calls: caller.calls,
    retries: caller.retries,
  };
};

/**
 * Organization-wide through a Config aggregator: DescribeAggregateComplianceByConfigRules lists
 * which of the product's rules report in which account and region; the details are read per
 * (rule, account, region) with GetAggregateComplianceDetailsByConfigRule, which requires all three.
 * Rules that have no result yet in an account do not appear (Config omits them).
 */
const readAggregatorCompliance = async (
  options: ConfigReadOptions & { aggregatorName: string },
): Promise<ConfigReadResult> => {
  const warnings: string[] = [];
  const caller = new PacedCaller({ ...options, warn: (message) => warnings.push(message) });
  const targets = new Map<
    string,
    { name: string; ruleId: string; account: string; region: string }
  >();
  for await (const page of caller.pages('DescribeAggregateComplianceByConfigRules', (NextToken) =>
    options.client.send(
      new DescribeAggregateComplianceByConfigRulesCommand({
        ConfigurationAggregatorName: options.aggregatorName,
        Limit: 1000,
        NextToken,
      }),
    ),
  )) {
    for (const entry of page.AggregateComplianceByConfigRules ?? []) {
      const name = entry.ConfigRuleName;
      const ruleId = name ? ruleIdOfRuleName(name, options.ruleIds) : undefined;
      if (!name || !ruleId || !entry.AccountId || !entry.AwsRegion) continue;
      targets.set(`${entry.AccountId}/${entry.AwsRegion}/${name}`, {
        name,
        ruleId,
        account: entry.AccountId,
        region: entry.AwsRegion,
      });
    }
  }
  const evaluations: ReportEvaluation[] = [];
  for (const [, target] of [...targets].sort(([a], [b]) => a.localeCompare(b))) {
    const what = `GetAggregateComplianceDetailsByConfigRule ${target.name} ${target.account} ${target.region}`;
    for await (const page of caller.pages(what, (NextToken) =>
      options.client.send(
        new GetAggregateComplianceDetailsByConfigRuleCommand({
          ConfigurationAggregatorName: options.aggregatorName,
          ConfigRuleName: target.name,
          AccountId: target.account,
          AwsRegion: target.region,
          Limit: 100,
          NextToken,
        }),
      ),
    )) {
      for (const result of page.AggregateEvaluationResults ?? []) {
        const evaluation = toEvaluation(
          result as EvaluationResult,
          target.ruleId,
          result.AccountId ?? target.account,
          result.AwsRegion ?? target.region,
        );
        if (evaluation) evaluations.push(evaluation);
      }
    }
  }
  return {
    evaluations,
    ruleNames: [...new Set([...targets.values()].map((target) => target.name))].sort(),
    warnings,
    calls: caller.calls,
    retries: caller.retries,
  };
};

export type { ConfigReadOptions, ConfigReadResult };
export { readAccountCompliance, readAggregatorCompliance };
