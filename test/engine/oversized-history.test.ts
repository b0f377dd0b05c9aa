import {
  ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { runRule } from '../../src/engine/run-rule.js';
import { compliant } from '../../src/model/compliance.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { apiConfigurationItem, CAPTURE_TIME, oversizedEvent } from '../helpers/events.js';
import { vpcRuleThat } from '../helpers/vpc-rule.js';
import { RecordingLogger } from './recording-logger.js';

const configMock = mockClient(ConfigServiceClient);

const vpcRule = vpcRuleThat(async () => compliant('Fine.'));

const vpcHistoryItem = (captureTime: string) =>
  apiConfigurationItem({
    resourceType: 'AWS::EC2::VPC',
    resourceId: 'vpc-1',
    captureTime,
    configuration: {
      vpcId: 'vpc-1',
      cidrBlock: '10.0.0.0/16',
      cidrBlockAssociationSet: [{ cidrBlock: '10.0.0.0/16' }],
      isDefault: false,
      state: 'available',
      tags: [],
    },
  });

const deps = () => ({
  config: new ConfigServiceClient({}),
  view: SnapshotView.fromResources([]),
  logger: new RecordingLogger(),
  sleep: async () => {},
});

describe('an oversized change whose item history does not hold yet', () => {
  beforeEach(() => {
    configMock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  });

  it('fails so Config retries, instead of judging the previous configuration', async () => {
    // Prepare: history answers with the item before this change (the new one is not readable yet).
    const dayBefore = new Date(Date.parse(CAPTURE_TIME) - 24 * 3600_000).toISOString();
    configMock
      .on(GetResourceConfigHistoryCommand)
      .resolves({ configurationItems: [vpcHistoryItem(dayBefore)] });

    // Act
    const run = runRule(
      vpcRule,
      oversizedEvent({ resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-1' }),
      deps(),
    );

    // Assess
    await expect(run).rejects.toThrow(/GetResourceConfigHistory/);
    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });

  it('judges the item of the change, timed at its capture (the same instant as the summary)', async () => {
    // Prepare
    configMock
      .on(GetResourceConfigHistoryCommand)
      .resolves({ configurationItems: [vpcHistoryItem(CAPTURE_TIME)] });

    // Act
    await runRule(
      vpcRule,
      oversizedEvent({ resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-1' }),
      deps(),
    );

    // Assess
    expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({
          ComplianceResourceId: 'vpc-1',
          ComplianceType: 'COMPLIANT',
          OrderingTimestamp: new Date(CAPTURE_TIME),
        }),
      ],
    });
  });
});

describe('an oversized change of a resource that left the scope or is gone', () => {
  beforeEach(() => {
    configMock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  });

  it.each([
    ['left the rule scope', { status: undefined, leftScope: true }],
    ['was deleted', { status: 'ResourceDeleted' as const, leftScope: false }],
    ['is no longer recorded', { status: 'ResourceNotRecorded' as const, leftScope: false }],
  ])(
    'is NOT_APPLICABLE at its capture time when it %s, without reading history',
    async (_, how) => {
      // Prepare: history cannot help (the resource is no longer discovered).
      configMock.on(GetResourceConfigHistoryCommand).rejects(
        Object.assign(new Error('Resource vpc-1 is not discovered.'), {
          name: 'ResourceNotDiscoveredException',
        }),
      );
      const event = oversizedEvent(
        {
          resourceType: 'AWS::EC2::VPC',
          resourceId: 'vpc-1',
          ...(how.status ? { status: how.status } : {}),
        },
        { eventLeftScope: how.leftScope },
      );

      // Act
      await runRule(vpcRule, event, deps());

      // Assess
      expect(configMock).not.toHaveReceivedCommand(GetResourceConfigHistoryCommand);
      expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, {
        Evaluations: [
          expect.objectContaining({
            ComplianceResourceId: 'vpc-1',
            ComplianceType: 'NOT_APPLICABLE',
            OrderingTimestamp: new Date(CAPTURE_TIME),
          }),
        ],
      });
    },
  );
});
