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
import { memoryCursorStore } from '../../src/engine/sweep-cursor.js';
import { EvaluationDeliveryError, UnjudgedResourcesError } from '../../src/errors.js';
import { compliant } from '../../src/model/compliance.js';
import type { ResourceType, Vpc } from '../../src/model/resources.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import type { AccountView, SweepRange } from '../../src/sources/view.js';
import { RULE_NAME, scheduledEvent } from '../helpers/events.js';
import { testVpc, vpcRuleThat } from '../helpers/vpc-rule.js';
import { RecordingLogger } from './recording-logger.js';

const configMock = mockClient(ConfigServiceClient);

const vpcRule = vpcRuleThat(async () => compliant('Fine.'));
const vpc = testVpc;

const VPCS = Array.from({ length: 25 }, (_, index) => vpc(`vpc-${String(index).padStart(3, '0')}`));

/** A view that, like the live view's bucket sweep, reads only `perInvocation` resources in time. */
const slowView = (resources: Vpc[], perInvocation: number): AccountView => {
  const base = SnapshotView.fromResources(resources);
  const listFrom = async (_type: ResourceType, range: SweepRange) => {
    const ids = resources.map((resource) => resource.id).sort();
    const from = range.fromId;
    const wanted = resources.filter((resource) => from === undefined || resource.id >= from);
    const read = wanted.slice(0, perInvocation);
    const nextId = wanted[perInvocation]?.id;
    return { resources: read, ids, ...(nextId ? { nextId } : {}) };
  };
  return new Proxy(base, {
    get(target, property) {
      if (property === 'listFrom') return listFrom;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as AccountView;
};

const sent = (): Evaluation[] =>
  configMock
    .commandCalls(PutEvaluationsCommand)
    .flatMap((call) => call.args[0].input.Evaluations ?? []);

const staleResult = (id: string) => ({
  EvaluationResultIdentifier: {
    EvaluationResultQualifier: {
      ConfigRuleName: RULE_NAME,
      ResourceType: 'AWS::EC2::VPC',
      ResourceId: id,
    },
  },
  ComplianceType: 'COMPLIANT' as const,
});

describe('periodic sweeps across invocations', () => {
  beforeEach(() => {
    configMock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    configMock
      .on(GetComplianceDetailsByConfigRuleCommand)
      .resolves({ EvaluationResults: [staleResult('vpc-gone'), staleResult('vpc-000')] });
  });

  it('pauses at the time budget with a saved cursor, continues there, and cleans up only at the end', async () => {
    // Prepare
    const cursors = memoryCursorStore();
    const view = slowView(VPCS, 10);
    const deps = () => ({
      config: new ConfigServiceClient({}),
      view,
      logger: new RecordingLogger(),
      cursors,
    });

    // Act
    const first = await runRule(vpcRule, scheduledEvent(), deps());
    const afterFirst = sent().length;
    const second = await runRule(vpcRule, scheduledEvent(), deps());
    const third = await runRule(vpcRule, scheduledEvent(), deps());

    // Assess
    expect(first.sweep).toMatchObject({ complete: false, nextId: 'vpc-010', remaining: 15 });
    expect(afterFirst).toBe(10);
    expect(second.sweep).toMatchObject({ complete: false, nextId: 'vpc-020', remaining: 5 });
    expect(third.sweep).toBeUndefined();
    const ids = sent().map((evaluation) => evaluation.ComplianceResourceId);
    // Every resource exactly once across the sweep, plus the stale one, cleaned at the end only.
    expect(ids.filter((id) => id !== 'vpc-gone').sort()).toEqual(VPCS.map((v) => v.id));
    expect(ids.indexOf('vpc-gone')).toBeGreaterThanOrEqual(20);
    expect(configMock).toHaveReceivedCommandTimes(GetComplianceDetailsByConfigRuleCommand, 1);
    expect(cursors.entries.size).toBe(0);
  });

  it('without a cursor store, delivers what it judged and fails naming what the budget did not reach', async () => {
    // Prepare
    const view = slowView(VPCS.slice(0, 4), 3);
    const deps = { config: new ConfigServiceClient({}), view, logger: new RecordingLogger() };

    // Act
    const run = runRule(vpcRule, scheduledEvent(), deps);

    // Assess
    await expect(run).rejects.toBeInstanceOf(UnjudgedResourcesError);
    await expect(run).rejects.toMatchObject({
      resources: [{ type: 'AWS::EC2::VPC', id: 'vpc-003' }],
    });
    expect(sent().map((evaluation) => evaluation.ComplianceResourceId)).toEqual([
      'vpc-000',
      'vpc-001',
      'vpc-002',
    ]);
    expect(configMock).not.toHaveReceivedCommand(GetComplianceDetailsByConfigRuleCommand);
  });

  it('judges nothing after the deadline: a past deadline saves the cursor at the first resource', async () => {
    // Prepare
    const cursors = memoryCursorStore();
    const deps = {
      config: new ConfigServiceClient({}),
      view: SnapshotView.fromResources(VPCS.slice(0, 3)),
      logger: new RecordingLogger(),
      cursors,
      deadline: Date.now() - 1,
    };

    // Act
    const summary = await runRule(vpcRule, scheduledEvent(), deps);

    // Assess
    expect(summary.sweep).toMatchObject({ complete: false, nextId: 'vpc-000', remaining: 3 });
    expect([...cursors.entries.values()]).toEqual([
      expect.objectContaining({ nextId: 'vpc-000', invocations: 1 }),
    ]);
    expect(configMock).not.toHaveReceivedCommand(GetComplianceDetailsByConfigRuleCommand);
  });
  it('keeps the cursor where the invocation found it when delivery fails, so the retry leaves no gap', async () => {
    // Prepare: the first invocation judges vpc-000..009, but PutEvaluations stays throttled.
    const cursors = memoryCursorStore();
    const view = slowView(VPCS, 10);
    const deps = () => ({
      config: new ConfigServiceClient({}),
      view,
      logger: new RecordingLogger(),
      cursors,
      sleep: async () => {},
      maxDeliveryAttempts: 2,
    });
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    configMock.on(PutEvaluationsCommand).rejects(throttled);

    // Act
    const failed = runRule(vpcRule, scheduledEvent(), deps());
    await expect(failed).rejects.toBeInstanceOf(EvaluationDeliveryError);
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const retried = await runRule(vpcRule, scheduledEvent(), deps());

    // Assess: the retry starts where the failed invocation started, not past what it lost.
    expect(retried.sweep).toMatchObject({ complete: false, nextId: 'vpc-010' });
    const delivered = configMock
      .commandCalls(PutEvaluationsCommand)
      .filter((call) => call.returnValue !== undefined)
      .flatMap((call) => call.args[0].input.Evaluations ?? [])
      .map((evaluation) => evaluation.ComplianceResourceId);
    expect(delivered.slice(-10)).toEqual(VPCS.slice(0, 10).map((v) => v.id));
  });
  it('leaves the real sweep cursor alone in a TESTMODE run', async () => {
    // Prepare: a real sweep paused at vpc-010; then `rdk test-remote` sends a TESTMODE schedule.
    const cursors = memoryCursorStore();
    const view = slowView(VPCS, 10);
    const deps = () => ({
      config: new ConfigServiceClient({}),
      view,
      logger: new RecordingLogger(),
      cursors,
    });
    await runRule(vpcRule, scheduledEvent(), deps());
    const paused = [...cursors.entries.values()];

    // Act
    const test = runRule(vpcRule, scheduledEvent({ resultToken: 'TESTMODE' }), deps());
    await test.catch(() => undefined);

    // Assess: the test run neither moved nor cleared the cursor the next real run continues from.
    expect([...cursors.entries.values()]).toEqual(paused);
    const next = await runRule(vpcRule, scheduledEvent(), deps());
    expect(next.sweep).toMatchObject({ complete: false, nextId: 'vpc-020' });
  });
  it('moves past a resource that fails again at the cursor, so one bad resource cannot pin the sweep', async () => {
    // Prepare: vpc-003 is throttled on every read; everything else judges fine.
    const cursors = memoryCursorStore();
    const throttledOn = vpcRuleThat(async (resource) => {
      if (resource.id === 'vpc-003') {
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return compliant('Fine.');
    });
    const deps = () => ({
      config: new ConfigServiceClient({}),
      view: SnapshotView.fromResources(VPCS.slice(0, 6)),
      logger: new RecordingLogger(),
      cursors,
    });

    // Act: the invocation, its retry, and the next day's periodic run.
    await expect(runRule(throttledOn, scheduledEvent(), deps())).rejects.toBeInstanceOf(
      UnjudgedResourcesError,
    );
    await expect(runRule(throttledOn, scheduledEvent(), deps())).rejects.toBeInstanceOf(
      UnjudgedResourcesError,
    );
    configMock.resetHistory();
    await runRule(throttledOn, scheduledEvent(), deps()).catch(() => undefined);

    // Assess: the second failure at the same place completes the sweep (cleanup included), and
    // the next sweep starts over instead of judging only vpc-003 onwards forever.
    const ids = sent().map((evaluation) => evaluation.ComplianceResourceId);
    expect(ids).toContain('vpc-000');
    expect(ids).toContain('vpc-002');
  });
});
