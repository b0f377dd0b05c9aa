import {
  type ConfigServiceClient,
  DescribeConfigurationAggregatorSourcesStatusCommand,
  DescribeConfigurationRecorderStatusCommand,
  GetAggregateDiscoveredResourceCountsCommand,
  GetDiscoveredResourceCountsCommand,
  type ResourceType,
} from '@aws-sdk/client-config-service';
import { errorMessage } from '../../engine/aws-errors.js';
import { byCodeUnits } from '../../util/order.js';
import type { CoverageGap, CoverageSection, ReportEvaluation } from '../model.js';
import { PacedCaller, type PacingOptions } from './paging.js';

/**
 * Where the report's results are missing. A report lists what the rules said; a place where they
 * said nothing (rules not deployed in a member account, an organization rule that failed to
 * create there, a recorder switched off, an aggregator source Config cannot collect) would
 * otherwise look like a clean account. The reads compare what AWS Config records against the
 * results read: resource counts per type, the recorder's status, the aggregator's source status.
 */

interface CoverageRule {
  id: string;
  resourceType: string;
}

interface CoverageOptions extends PacingOptions {
  client: ConfigServiceClient;
  rules: readonly CoverageRule[];
  /** The results read, to tell which rule reported where. */
  evaluations: readonly ReportEvaluation[];
}

interface CoverageRead {
  coverage: CoverageSection;
  warnings: string[];
  calls: number;
}

const reportedKey = (accountId: string, region: string, ruleId: string): string =>
  `${accountId}/${region}/${ruleId}`;

const reportedSet = (evaluations: readonly ReportEvaluation[]): Set<string> =>
  new Set(
    evaluations.map((evaluation) =>
      reportedKey(evaluation.accountId, evaluation.region, evaluation.ruleId),
    ),
  );

const typesOf = (rules: readonly CoverageRule[]): string[] =>
  [...new Set(rules.map((rule) => rule.resourceType))].sort(byCodeUnits);

/** One `no-results` gap per rule of `type` silent in an account and region that records some. */
const silentRules = (
  rules: readonly CoverageRule[],
  reported: ReadonlySet<string>,
  place: { accountId: string; region: string; type: string; recorded: number },
  why: (ruleId: string) => string,
): CoverageGap[] =>
  place.recorded <= 0
    ? []
    : rules
        .filter((rule) => rule.resourceType === place.type)
        .filter((rule) => !reported.has(reportedKey(place.accountId, place.region, rule.id)))
        .map((rule) => ({
          kind: 'no-results' as const,
          accountId: place.accountId,
          region: place.region,
          ruleId: rule.id,
          resourceType: place.type,
          recorded: place.recorded,
          reason: `AWS Config records ${place.recorded} ${place.type} here, but ${rule.id} reported no result: ${why(rule.id)}.`,
        }));

const byPlace = (a: CoverageGap, b: CoverageGap): number =>
  byCodeUnits(a.accountId, b.accountId) ||
  byCodeUnits(a.region, b.region) ||
  byCodeUnits(a.kind, b.kind) ||
  byCodeUnits(a.ruleId ?? '', b.ruleId ?? '');

/** A read that failed leaves what was found so far, marked unchecked, and says why. */
const settle = async (
  caller: PacedCaller,
  warnings: string[],
  compared: string,
  read: (gaps: CoverageGap[]) => Promise<void>,
): Promise<CoverageRead> => {
  const gaps: CoverageGap[] = [];
  try {
    await read(gaps);
  } catch (error) {
    const message = `coverage not fully checked: ${errorMessage(error)}`;
    warnings.push(message);
    return {
      coverage: { checked: false, note: message, gaps: gaps.sort(byPlace) },
      warnings,
      calls: caller.calls,
    };
  }
  return {
    coverage: { checked: true, note: compared, gaps: gaps.sort(byPlace) },
    warnings,
    calls: caller.calls,
  };
};

/**
 * One account and region: GetDiscoveredResourceCounts for the rules' resource types, and the
 * configuration recorder's status (a stopped recorder triggers no change evaluations).
 */
const readAccountCoverage = async (
  options: CoverageOptions & {
    accountId: string;
    region: string;
    /** Rule ids whose Config rule exists here (DescribeComplianceByConfigRule). */
    deployed: ReadonlySet<string>;
  },
): Promise<CoverageRead> => {
  const warnings: string[] = [];
  const caller = new PacedCaller({ ...options, warn: (message) => warnings.push(message) });
  const types = typesOf(options.rules);
  const { accountId, region } = options;
  return settle(
    caller,
    warnings,
    `resource counts of ${types.length} type(s) and the configuration recorder of ${accountId}/${region}`,
    async (gaps) => {
      const status = await caller.call('DescribeConfigurationRecorderStatus', () =>
        options.client.send(new DescribeConfigurationRecorderStatusCommand({})),
      );
      const recorders = status.ConfigurationRecordersStatus ?? [];
      if (!recorders.some((recorder) => recorder.recording)) {
        const last = recorders.find((recorder) => recorder.lastErrorMessage);
        gaps.push({
          kind: 'recorder-off',
          accountId,
          region,
          reason:
            recorders.length === 0
              ? 'AWS Config has no configuration recorder here, so no change triggers the rules.'
              : `AWS Config is not recording here (${recorders.map((recorder) => recorder.name ?? 'recorder').join(', ')}), so no change triggers the rules${last ? `; last error: ${last.lastErrorMessage}` : ''}.`,
        });
      }
      const counts = new Map<string, number>();
      // This API spells its token `nextToken`; the pager follows `NextToken`.
      for await (const page of caller.pages('GetDiscoveredResourceCounts', async (token) => {
        const answer = await options.client.send(
          new GetDiscoveredResourceCountsCommand({ resourceTypes: types, nextToken: token }),
        );
        return { ...answer, NextToken: answer.nextToken };
      })) {
        for (const entry of page.resourceCounts ?? []) {
          if (entry.resourceType) {
            counts.set(
              entry.resourceType,
              (counts.get(entry.resourceType) ?? 0) + Number(entry.count ?? 0),
            );
          }
        }
      }
      const reported = reportedSet(options.evaluations);
      for (const type of types) {
        gaps.push(
          ...silentRules(
            options.rules,
            reported,
            { accountId, region, type, recorded: counts.get(type) ?? 0 },
            (ruleId) =>
              options.deployed.has(ruleId)
                ? 'the rule exists but has not evaluated (a failing Lambda, or no evaluation yet)'
                : 'the rule is not deployed in this account and region',
          ),
        );
      }
    },
  );
};

/**
 * Organization-wide through the aggregator: the status of every source (failed or outdated
 * collection), then GetAggregateDiscoveredResourceCounts per resource type and region, grouped by
 * account, against the accounts and regions each rule reported from. Regions are those of the
 * sources and of the results.
 */
const readAggregatorCoverage = async (
  options: CoverageOptions & { aggregatorName: string },
): Promise<CoverageRead> => {
  const warnings: string[] = [];
  const caller = new PacedCaller({ ...options, warn: (message) => warnings.push(message) });
  const types = typesOf(options.rules);
  const regions = new Set(options.evaluations.map((evaluation) => evaluation.region));
  const ConfigurationAggregatorName = options.aggregatorName;
  return settle(
    caller,
    warnings,
    `aggregator sources of ${ConfigurationAggregatorName} and resource counts of ${types.length} type(s) per account and region`,
    async (gaps) => {
      for await (const page of caller.pages(
        'DescribeConfigurationAggregatorSourcesStatus',
        (NextToken) =>
          options.client.send(
            new DescribeConfigurationAggregatorSourcesStatusCommand({
              ConfigurationAggregatorName,
              NextToken,
            }),
          ),
      )) {
        for (const source of page.AggregatedSourceStatusList ?? []) {
          if (!source.SourceId || !source.AwsRegion) continue;
          regions.add(source.AwsRegion);
          const what = source.SourceType === 'ORGANIZATION' ? 'organization source' : 'source';
          const since = source.LastUpdateTime
            ? ` (last update ${source.LastUpdateTime.toISOString()})`
            : '';
          if (source.LastUpdateStatus === 'FAILED') {
            gaps.push({
              kind: 'source-failed',
              accountId: source.SourceId,
              region: source.AwsRegion,
              reason: `AWS Config could not collect this ${what} into ${ConfigurationAggregatorName}${since}: ${[source.LastErrorCode, source.LastErrorMessage].filter(Boolean).join(' ') || 'no error given'}; its results may be missing or old.`,
            });
          } else if (source.LastUpdateStatus === 'OUTDATED') {
            gaps.push({
              kind: 'source-outdated',
              accountId: source.SourceId,
              region: source.AwsRegion,
              reason: `The aggregator holds outdated data of this ${what}${since}; its results may be old.`,
            });
          }
        }
      }
      const reported = reportedSet(options.evaluations);
      for (const type of types) {
        for (const region of [...regions].sort(byCodeUnits)) {
          const counts = new Map<string, number>();
          for await (const page of caller.pages(
            `GetAggregateDiscoveredResourceCounts ${type} ${region}`,
            (NextToken) =>
              options.client.send(
                new GetAggregateDiscoveredResourceCountsCommand({
                  ConfigurationAggregatorName,
                  Filters: { ResourceType: type as ResourceType, Region: region },
                  GroupByKey: 'ACCOUNT_ID',
                  Limit: 1000,
                  NextToken,
                }),
              ),
          )) {
            for (const group of page.GroupedResourceCounts ?? []) {
              if (group.GroupName) {
                counts.set(
                  group.GroupName,
                  (counts.get(group.GroupName) ?? 0) + Number(group.ResourceCount ?? 0),
                );
              }
            }
          }
          for (const [accountId, recorded] of [...counts].sort(([a], [b]) => byCodeUnits(a, b))) {
            gaps.push(
              ...silentRules(
                options.rules,
                reported,
                { accountId, region, type, recorded },
                () => 'the rule is not deployed there, failed to run, or has not evaluated yet',
              ),
            );
          }
        }
      }
    },
  );
};

export type { CoverageOptions, CoverageRead, CoverageRule };
export { readAccountCoverage, readAggregatorCoverage };
