import type { Evaluation, EvaluationResult } from '@aws-sdk/client-config-service';
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { runRule } from '../../src/engine/run-rule.js';
import { compliant } from '../../src/model/compliance.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { RULE_NAME, SCHEDULED_TIME, scheduledEvent } from '../helpers/events.js';
import { testVpc, vpcRuleThat } from '../helpers/vpc-rule.js';
import { RecordingLogger } from './recording-logger.js';

const configMock = mockClient(ConfigServiceClient);

const vpcRule = vpcRuleThat(async () => compliant('Fine.'));

const storedResult = (id: string, orderingTimestamp: string): EvaluationResult => ({
  EvaluationResultIdentifier: {
    EvaluationResultQualifier: {
      ConfigRuleName: RULE_NAME,
      ResourceType: 'AWS::EC2::VPC',
      ResourceId: id,
    },
    OrderingTimestamp: new Date(orderingTimestamp),
  },
  ComplianceType: 'NON_COMPLIANT',
  ResultRecordedTime: new Date(orderingTimestamp),
});

const sent = (): Evaluation[] =>
  configMock
    .commandCalls(PutEvaluationsCommand)
    .flatMap((call) => call.args[0].input.Evaluations ?? []);

describe('stale-result cleanup of a periodic sweep', () => {
  beforeEach(() => {
    configMock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  });

  it('leaves alone a result Config recorded after the sweep was triggered (a resource created during the sweep)', async () => {
    // Prepare: the sweep listed vpc-a only; vpc-new was created while it ran, and its own
    // change-triggered evaluation (ordered at its capture time, after the sweep's notification)
    // is already stored. vpc-gone was last evaluated before the sweep began.
    const afterTheSweepBegan = new Date(Date.parse(SCHEDULED_TIME) + 5 * 60_000).toISOString();
    const beforeTheSweep = new Date(Date.parse(SCHEDULED_TIME) - 24 * 3600_000).toISOString();
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [
        storedResult('vpc-a', beforeTheSweep),
        storedResult('vpc-new', afterTheSweepBegan),
        storedResult('vpc-gone', beforeTheSweep),
      ],
    });
    const deps = {
      config: new ConfigServiceClient({}),
      view: SnapshotView.fromResources([testVpc('vpc-a')]),
      logger: new RecordingLogger(),
      sleep: async () => {},
    };

    // Act
    await runRule(vpcRule, scheduledEvent(), deps);

    // Assess: the sweep's older NOT_APPLICABLE must not overwrite the newer verdict.
    const verdicts = Object.fromEntries(
      sent().map((evaluation) => [evaluation.ComplianceResourceId, evaluation.ComplianceType]),
    );
    expect(verdicts).toEqual({ 'vpc-a': 'COMPLIANT', 'vpc-gone': 'NOT_APPLICABLE' });
  });
});

describe('a throttled stale-result cleanup', () => {
  beforeEach(() => {
    configMock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  });

  it('still delivers the sweep verdicts, then fails so the retry repeats the cleanup', async () => {
    // Prepare: Config throttles the compliance read past the SDK's retries.
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    configMock.on(GetComplianceDetailsByConfigRuleCommand).rejects(throttled);
    const deps = {
      config: new ConfigServiceClient({}),
      view: SnapshotView.fromResources([testVpc('vpc-a'), testVpc('vpc-b')]),
      logger: new RecordingLogger(),
      sleep: async () => {},
    };

    // Act
    const run = runRule(vpcRule, scheduledEvent(), deps);

    // Assess: the judged verdicts are not thrown away with the housekeeping.
    await expect(run).rejects.toThrow(/Rate exceeded|cleanup/);
    const verdicts = Object.fromEntries(
      sent().map((evaluation) => [evaluation.ComplianceResourceId, evaluation.ComplianceType]),
    );
    expect(verdicts).toEqual({ 'vpc-a': 'COMPLIANT', 'vpc-b': 'COMPLIANT' });
  });
});
