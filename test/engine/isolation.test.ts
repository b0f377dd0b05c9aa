import type { Evaluation } from '@aws-sdk/client-config-service';
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { runRule } from '../../src/engine/run-rule.js';
import { AwsReadError, EvaluationDeliveryError, UnjudgedResourcesError } from '../../src/errors.js';
import { compliant } from '../../src/model/compliance.js';
import type { EvidenceRecord } from '../../src/model/evidence.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import type { AccountView, ResourceReadFailure } from '../../src/sources/view.js';
import { ACCOUNT_ID, scheduledEvent } from '../helpers/events.js';
import { testVpc, vpcRuleThat } from '../helpers/vpc-rule.js';
import { RecordingLogger } from './recording-logger.js';

const configMock = mockClient(ConfigServiceClient);

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

/** The view's answer for `vpc-bad` is a permanent failure, for `vpc-slow` a lasting throttle. */
const vpcRule = vpcRuleThat(async (resource) => {
  if (resource.id === 'vpc-bad') {
    throw new AwsReadError('ec2:DescribeVpcAttribute failed (InvalidRequest: bad request)', {
      cause: Object.assign(new Error('bad request'), { name: 'InvalidRequest' }),
    });
  }
  if (resource.id === 'vpc-slow') {
    throw new AwsReadError('ec2:DescribeVpcAttribute failed', { cause: throttled() });
  }
  return { ...compliant('Fine.'), detail: 'Fine, in every respect.' };
});
const vpc = testVpc;

const withFailures = (view: AccountView, failures: ResourceReadFailure[]): AccountView =>
  new Proxy(view, {
    get(target, property) {
      if (property === 'readFailures') return () => failures;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

const sent = (): Evaluation[] =>
  configMock
    .commandCalls(PutEvaluationsCommand)
    .flatMap((call) => call.args[0].input.Evaluations ?? []);

const deps = (view: AccountView) => ({
  config: new ConfigServiceClient({}),
  view,
  logger: new RecordingLogger(),
});

describe('one bad resource never costs the others their verdicts', () => {
  beforeEach(() => {
    configMock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  });

  it('makes a resource with a permanent read error NON_COMPLIANT "could not be read", the rest judged', async () => {
    // Prepare
    const view = withFailures(SnapshotView.fromResources([vpc('vpc-1'), vpc('vpc-bad')]), [
      {
        type: 'AWS::EC2::VPC',
        id: 'vpc-unlisted',
        reason: 'ec2:DescribeVpcs failed (InvalidRequest: nope)',
        transient: false,
      },
    ]);

    // Act
    const summary = await runRule(vpcRule, scheduledEvent(), deps(view));

    // Assess
    expect(summary.byCompliance).toEqual({ COMPLIANT: 1, NON_COMPLIANT: 2, NOT_APPLICABLE: 0 });
    const byId = Object.fromEntries(sent().map((e) => [e.ComplianceResourceId, e]));
    expect(byId['vpc-1']?.ComplianceType).toBe('COMPLIANT');
    for (const id of ['vpc-bad', 'vpc-unlisted']) {
      expect(byId[id]?.ComplianceType).toBe('NON_COMPLIANT');
      expect(byId[id]?.Annotation).toMatch(/^Could not verify: the resource could not be read: /);
    }
  });

  it('delivers every judged verdict, then fails naming the resource still throttled after the retries', async () => {
    // Prepare
    const view = withFailures(SnapshotView.fromResources([vpc('vpc-1'), vpc('vpc-slow')]), [
      { type: 'AWS::EC2::VPC', id: 'vpc-listed-slow', reason: 'throttled', transient: true },
    ]);

    // Act
    const run = runRule(vpcRule, scheduledEvent(), deps(view));

    // Assess
    await expect(run).rejects.toBeInstanceOf(UnjudgedResourcesError);
    await expect(run).rejects.toThrow(/AWS::EC2::VPC vpc-slow.*AWS::EC2::VPC vpc-listed-slow/);
    expect(sent().map((e) => e.ComplianceResourceId)).toEqual(['vpc-1']);
    // No stale-result cleanup: the sweep is not complete.
    expect(configMock).not.toHaveReceivedCommand(GetComplianceDetailsByConfigRuleCommand);
  });

  it('stores full evidence after delivery, and a failing evidence store never fails the run', async () => {
    // Prepare
    const stored: EvidenceRecord[] = [];
    const view = SnapshotView.fromResources([vpc('vpc-1')]);
    const evidence = {
      async put(records: readonly EvidenceRecord[]) {
        for (const record of records) stored.push(record);
        throw new Error('S3 is down');
      },
    };

    // Act
    const summary = await runRule(vpcRule, scheduledEvent(), { ...deps(view), evidence });

    // Assess
    expect(summary.delivered).toBe(1);
    expect(stored).toEqual([
      {
        schemaVersion: 1,
        accountId: ACCOUNT_ID,
        region: 'us-east-1',
        ruleId: 'test-vpc',
        resourceType: 'AWS::EC2::VPC',
        resourceId: 'vpc-1',
        complianceType: 'COMPLIANT',
        annotation: 'Fine.',
        detail: 'Fine, in every respect.',
        remediation: 'Fix the VPC.',
        evaluatedAt: '2025-03-14T12:00:00.373Z',
      },
    ]);
  });

  it('sends nothing once the invocation has ended', async () => {
    // Prepare
    const ended = new AbortController();
    ended.abort();
    const view = SnapshotView.fromResources([vpc('vpc-1')]);

    // Act
    const run = runRule(vpcRule, scheduledEvent(), { ...deps(view), signal: ended.signal });

    // Assess
    await expect(run).rejects.toBeInstanceOf(EvaluationDeliveryError);
    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });
});
