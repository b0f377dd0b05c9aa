import type { Evaluation } from '@aws-sdk/client-config-service';
import {
  ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { runRule } from '../../src/engine/run-rule.js';
import { AwsReadError } from '../../src/errors.js';
import { compliant } from '../../src/model/compliance.js';
import { defineRule } from '../../src/rules/rule.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { apiConfigurationItem, changeEvent, configurationItem } from '../helpers/events.js';
import { testVpc } from '../helpers/vpc-rule.js';
import { RecordingLogger } from './recording-logger.js';

/**
 * A deleted trigger-type resource: its dependents are found from its last recorded configuration.
 * GetResourceConfigHistory spans at most seven days per call and answers older weeks with empty
 * pages and a nextToken, so a subnet unchanged for two months before its deletion sits nine pages
 * back. Five pages were read, then the dependents were skipped as if no configuration was recorded.
 */

const configMock = mockClient(ConfigServiceClient);

/** VPCs are re-evaluated when one of their subnets changes or is deleted. */
const vpcOfSubnetRule = defineRule({
  id: 'test-vpc-subnets',
  title: 'VPCs should be tested with their subnets',
  description: 'Test rule.',
  rationale: 'Test rule.',
  severity: 'low',
  resourceType: 'AWS::EC2::VPC',
  triggerTypes: ['AWS::EC2::Subnet'],
  frameworks: [],
  parameters: {},
  remediation: 'Fix the VPC.',
  iamActions: [],
  evaluate: async () => compliant('Fine.'),
  async dependents(changed) {
    return changed.type === 'AWS::EC2::Subnet'
      ? [{ type: 'AWS::EC2::VPC', id: changed.vpcId }]
      : [];
  },
});

const SUBNET = 'subnet-0a1b2c3d';
const DELETED_AT = '2025-03-14T09:26:53.589Z';
const CREATED_AT = '2025-01-10T08:00:00.000Z';

const deletion = changeEvent(
  configurationItem({
    resourceType: 'AWS::EC2::Subnet',
    resourceId: SUBNET,
    status: 'ResourceDeleted',
    captureTime: DELETED_AT,
  }),
);

/** History as Config pages it: the deletion, then empty weeks, then the item of the creation. */
const weeklyHistory = (emptyWeeks: number) => {
  configMock.on(GetResourceConfigHistoryCommand).callsFake((input: { nextToken?: string }) => {
    const page = input.nextToken ? Number(input.nextToken.slice('week-'.length)) : 0;
    if (page === 0) {
      return {
        configurationItems: [
          apiConfigurationItem({
            resourceType: 'AWS::EC2::Subnet',
            resourceId: SUBNET,
            status: 'ResourceDeleted',
            captureTime: DELETED_AT,
          }),
        ],
        nextToken: 'week-1',
      };
    }
    if (page <= emptyWeeks) return { configurationItems: [], nextToken: `week-${page + 1}` };
    return {
      configurationItems: [
        apiConfigurationItem({
          resourceType: 'AWS::EC2::Subnet',
          resourceId: SUBNET,
          captureTime: CREATED_AT,
          configuration: { subnetId: SUBNET, vpcId: 'vpc-1', cidrBlock: '10.0.1.0/24' },
        }),
      ],
    };
  });
};

const sent = (): Evaluation[] =>
  configMock
    .commandCalls(PutEvaluationsCommand)
    .flatMap((call) => call.args[0].input.Evaluations ?? []);

describe('a deleted resource last configured months before its deletion', () => {
  beforeEach(() => {
    configMock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  });

  it('walks history back week by week to re-evaluate its dependents', async () => {
    // Prepare: eight empty weeks between the creation and the deletion.
    weeklyHistory(8);
    const deps = {
      config: new ConfigServiceClient({}),
      view: SnapshotView.fromResources([testVpc('vpc-1')]),
      logger: new RecordingLogger(),
    };

    // Act
    await runRule(vpcOfSubnetRule, deletion, deps);

    // Assess
    expect(sent()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: 'vpc-1',
        ComplianceType: 'COMPLIANT',
        OrderingTimestamp: new Date(DELETED_AT),
      }),
    ]);
  });

  it('fails the invocation when the deadline stops the walk, instead of skipping the dependents', async () => {
    // Prepare
    weeklyHistory(8);
    const deps = {
      config: new ConfigServiceClient({}),
      view: SnapshotView.fromResources([testVpc('vpc-1')]),
      logger: new RecordingLogger(),
      deadline: Date.now() - 1,
    };

    // Act
    const run = runRule(vpcOfSubnetRule, deletion, deps);

    // Assess
    await expect(run).rejects.toThrow(AwsReadError);
    expect(configMock).toHaveReceivedCommandTimes(GetResourceConfigHistoryCommand, 1);
  });
});
