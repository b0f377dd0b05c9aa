import type { Evaluation } from '@aws-sdk/client-config-service';
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { runRule } from '../../src/engine/run-rule.js';
import { memoryCursorStore } from '../../src/engine/sweep-cursor.js';
import { compliant, nonCompliant } from '../../src/model/compliance.js';
import type { ResourceType, Vpc } from '../../src/model/resources.js';
import { defineRule } from '../../src/rules/rule.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import type { AccountView, SweepRange } from '../../src/sources/view.js';
import { scheduledEvent } from '../helpers/events.js';
import { testVpc } from '../helpers/vpc-rule.js';
import { RecordingLogger } from './recording-logger.js';

/**
 * A periodic sweep paused at a cursor belongs to one Config rule with one set of parameters. When
 * the rule's parameters change (PutConfigRule) or the rule is deleted and created again under the
 * same name (AWS Config evaluates a new rule in full), the next sweep must start over: continuing
 * would leave the resources before the cursor with verdicts of the old parameters (or none at all
 * for the new rule) until a whole further sweep.
 */

const configMock = mockClient(ConfigServiceClient);

/** VPCs whose id is listed in `approved` are compliant. */
const approvalRule = defineRule({
  id: 'test-vpc-approval',
  title: 'VPCs should be approved',
  description: 'Test rule.',
  rationale: 'Test rule.',
  severity: 'low',
  resourceType: 'AWS::EC2::VPC',
  triggerTypes: [],
  frameworks: [],
  parameters: { approved: { type: 'list', description: 'Approved VPC ids.' } },
  remediation: 'Approve the VPC.',
  iamActions: ['ec2:DescribeVpcs'],
  evaluate: async (vpc: Vpc, _view, params) =>
    params.approved.includes(vpc.id) ? compliant('Approved.') : nonCompliant('Not approved.'),
});

const VPCS = Array.from({ length: 25 }, (_, index) =>
  testVpc(`vpc-${String(index).padStart(3, '0')}`),
);

/** Like the live bucket sweep: only `perInvocation` resources are read in time. */
const slowView = (resources: Vpc[], perInvocation: number): AccountView => {
  const base = SnapshotView.fromResources(resources);
  const listFrom = async (_type: ResourceType, range: SweepRange) => {
    const ids = resources.map((resource) => resource.id).sort();
    const wanted = resources.filter((r) => range.fromId === undefined || r.id >= range.fromId);
    const nextId = wanted[perInvocation]?.id;
    return { resources: wanted.slice(0, perInvocation), ids, ...(nextId ? { nextId } : {}) };
  };
  return new Proxy(base, {
    get(target, property) {
      if (property === 'listFrom') return listFrom;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as AccountView;
};

const sentIds = (from = 0): (string | undefined)[] =>
  configMock
    .commandCalls(PutEvaluationsCommand)
    .slice(from)
    .flatMap((call) => call.args[0].input.Evaluations ?? [])
    .map((evaluation: Evaluation) => evaluation.ComplianceResourceId);

describe('a paused sweep whose Config rule changed', () => {
  beforeEach(() => {
    configMock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  });

  const depsOf = (cursors: ReturnType<typeof memoryCursorStore>, perInvocation: number) => ({
    config: new ConfigServiceClient({}),
    view: slowView(VPCS, perInvocation),
    logger: new RecordingLogger(),
    cursors,
  });

  it('starts over when the rule parameters changed, so no resource keeps a verdict of the old ones', async () => {
    // Prepare
    const cursors = memoryCursorStore();
    const before = scheduledEvent({ ruleParameters: { approved: 'vpc-000' } });
    const after = scheduledEvent({ ruleParameters: { approved: 'vpc-000,vpc-001' } });

    // Act
    const first = await runRule(approvalRule, before, depsOf(cursors, 10));
    const calls = configMock.commandCalls(PutEvaluationsCommand).length;
    const second = await runRule(approvalRule, after, depsOf(cursors, 10));

    // Assess
    expect(first.sweep).toMatchObject({ nextId: 'vpc-010' });
    expect(sentIds(calls)).toEqual(VPCS.slice(0, 10).map((vpc) => vpc.id));
    expect(second.sweep).toMatchObject({ nextId: 'vpc-010', remaining: 15 });
  });

  it('starts over for a rule deleted and created again under the same name', async () => {
    // Prepare
    const cursors = memoryCursorStore();
    const old = scheduledEvent({ ruleParameters: { approved: 'vpc-000' } });
    const recreated = { ...old, configRuleId: 'config-rule-7654321' };

    // Act
    await runRule(approvalRule, old, depsOf(cursors, 10));
    const calls = configMock.commandCalls(PutEvaluationsCommand).length;
    await runRule(approvalRule, recreated, depsOf(cursors, 10));

    // Assess
    expect(sentIds(calls)).toEqual(VPCS.slice(0, 10).map((vpc) => vpc.id));
  });

  it('still continues an unchanged rule, and a fresh sweep that completes deletes the dropped cursor', async () => {
    // Prepare
    const cursors = memoryCursorStore();
    const event = scheduledEvent({ ruleParameters: { approved: 'vpc-000' } });
    const changed = scheduledEvent({ ruleParameters: { approved: 'vpc-002' } });

    // Act
    await runRule(approvalRule, event, depsOf(cursors, 10));
    const calls = configMock.commandCalls(PutEvaluationsCommand).length;
    await runRule(approvalRule, event, depsOf(cursors, 10));
    const continued = sentIds(calls);
    const complete = await runRule(approvalRule, changed, depsOf(cursors, 100));

    // Assess
    expect(continued).toEqual(VPCS.slice(10, 20).map((vpc) => vpc.id));
    expect(complete.sweep).toBeUndefined();
    expect(cursors.entries.size).toBe(0);
  });
});
