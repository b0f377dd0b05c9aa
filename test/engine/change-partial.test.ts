import type { Evaluation } from '@aws-sdk/client-config-service';
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { runRule } from '../../src/engine/run-rule.js';
import { nonCompliant } from '../../src/model/compliance.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { CAPTURE_TIME, changeEvent, configurationItem } from '../helpers/events.js';
import { vpcRuleThat } from '../helpers/vpc-rule.js';
import { RecordingLogger } from './recording-logger.js';

const configMock = mockClient(ConfigServiceClient);

const sent = (): Evaluation[] =>
  configMock
    .commandCalls(PutEvaluationsCommand)
    .flatMap((call) => call.args[0].input.Evaluations ?? []);

const throttled = () =>
  Object.assign(new Error('Request limit exceeded.'), {
    name: 'RequestLimitExceeded',
    $fault: 'client',
    $metadata: { httpStatusCode: 503 },
  });

const vpcItem = (id: string) =>
  configurationItem({
    resourceType: 'AWS::EC2::VPC',
    resourceId: id,
    configuration: {
      vpcId: id,
      cidrBlock: '10.0.0.0/16',
      cidrBlockAssociationSet: [{ cidrBlock: '10.0.0.0/16' }],
      isDefault: false,
      state: 'available',
      tags: [],
    },
  });

describe('a change whose dependents cannot be found for now', () => {
  beforeEach(() => {
    configMock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  });

  it('delivers the changed resource verdict, then fails so the retry re-evaluates the dependents', async () => {
    // Prepare: the rule re-evaluates other VPCs when one changes; that lookup stays throttled.
    const rule = {
      ...vpcRuleThat(async () => nonCompliant('Missing endpoints.')),
      dependents: async () => {
        throw throttled();
      },
    };
    const deps = {
      config: new ConfigServiceClient({}),
      view: SnapshotView.fromResources([]),
      logger: new RecordingLogger(),
      sleep: async () => {},
    };

    // Act
    const run = runRule(rule, changeEvent(vpcItem('vpc-1')), deps);

    // Assess
    await expect(run).rejects.toThrow(/Request limit exceeded/);
    expect(sent()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: 'vpc-1',
        ComplianceType: 'NON_COMPLIANT',
        OrderingTimestamp: new Date(CAPTURE_TIME),
      }),
    ]);
  });
});
