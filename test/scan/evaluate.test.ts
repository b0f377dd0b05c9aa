import { describe, expect, it } from 'vitest';
import { AwsReadError } from '../../src/errors.js';
import { compliant } from '../../src/model/compliance.js';
import type { Vpc } from '../../src/model/resources.js';
import { defineRule } from '../../src/rules/rule.js';
import { evaluateResource, judgeAll } from '../../src/scan/evaluate.js';
import { memoryReadsOf } from '../../src/scan/memory-view.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { testVpc, vpcRuleThat } from '../helpers/vpc-rule.js';

const VPC: Vpc = testVpc('vpc-1');

const ruleThat = (behaviour: () => Promise<never> | Promise<ReturnType<typeof compliant>>) =>
  vpcRuleThat(behaviour);

const view = SnapshotView.fromResources([VPC]);

describe('evaluateResource', () => {
  it('binds a verdict to its rule and resource', async () => {
    const evaluation = await evaluateResource(
      ruleThat(async () => compliant('Fine.')),
      VPC,
      view,
      {},
    );

    expect(evaluation).toEqual({
      ruleId: 'test-vpc',
      resource: { type: 'AWS::EC2::VPC', id: 'vpc-1' },
      compliance: 'COMPLIANT',
      annotation: 'Fine.',
    });
  });

  it('turns a rule error into NON_COMPLIANT with the reason, and reports the error', async () => {
    const seen: unknown[] = [];
    const failing = ruleThat(async () => {
      throw new TypeError('cannot read routes of undefined');
    });

    const evaluation = await evaluateResource(failing, VPC, view, {}, (error) => seen.push(error));

    expect(evaluation).toMatchObject({
      compliance: 'NON_COMPLIANT',
      annotation: 'Evaluation failed: cannot read routes of undefined',
    });
    expect(seen).toHaveLength(1);
  });

  it('reports a read the scanner was denied as unverified, not as a violation', async () => {
    const denied = ruleThat(async () => {
      throw new AwsReadError('Access denied to ec2:DescribeVpcEndpoints; grant it', {
        denied: true,
      });
    });

    const evaluation = await evaluateResource(denied, VPC, view, {});

    expect(evaluation).toMatchObject({ compliance: 'NON_COMPLIANT', unverifiable: true });
    expect(evaluation.annotation).toMatch(
      /^Could not verify: Access denied to ec2:DescribeVpcEndpoints/,
    );
  });

  it('lets throttling through so the invocation fails and AWS Config retries', async () => {
    const throttled = ruleThat(async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });

    await expect(evaluateResource(throttled, VPC, view, {})).rejects.toThrow('Rate exceeded');
  });
});

describe('judgeAll', () => {
  const vpcs = ['vpc-1', 'vpc-2', 'vpc-3'].map((id) => ({ ...VPC, id }));
  const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

  it('isolates each resource: one still throttled after the retries is unjudged, the others judged', async () => {
    const rule = ruleThat(async () => compliant('Fine.'));
    const flaky = {
      ...rule,
      evaluate: async (vpc: Vpc) => {
        if (vpc.id === 'vpc-2')
          throw new AwsReadError('ec2:DescribeVpcs failed', { cause: throttled });
        return compliant('Fine.');
      },
    };

    const judgement = await judgeAll(flaky as never, vpcs, view, {}, { concurrency: 2 });

    expect(judgement.evaluations.map((e) => e.resource.id)).toEqual(['vpc-1', 'vpc-3']);
    expect(judgement.unjudged).toEqual([
      { resource: { type: 'AWS::EC2::VPC', id: 'vpc-2' }, reason: 'ec2:DescribeVpcs failed' },
    ]);
    expect(judgement.notReached).toEqual([]);
  });

  it('makes a permanent read error unverifiable "could not be read", not a plain violation', async () => {
    const rule = ruleThat(async () => {
      throw new AwsReadError('s3:GetBucketPolicy on bucket b failed (InvalidRequest: bad)');
    });

    const { evaluations } = await judgeAll(rule, [VPC], view, {}, { concurrency: 1 });

    expect(evaluations[0]).toMatchObject({ compliance: 'NON_COMPLIANT', unverifiable: true });
    expect(evaluations[0]?.annotation).toMatch(
      /^Could not verify: the resource could not be read: s3:GetBucketPolicy/,
    );
  });

  it('starts nothing after the deadline and names what it did not reach', async () => {
    const rule = ruleThat(async () => compliant('Fine.'));

    const judgement = await judgeAll(rule, vpcs, view, {}, { concurrency: 1, deadline: 0 });

    expect(judgement.evaluations).toEqual([]);
    expect(judgement.notReached.map((ref) => ref.id)).toEqual(['vpc-1', 'vpc-2', 'vpc-3']);
  });
});

describe('judgeAll over an account in memory', () => {
  const vpcs = ['vpc-1', 'vpc-2', 'vpc-3'].map((id) => ({ ...VPC, id }));
  const memory = memoryReadsOf(SnapshotView.fromResources(vpcs));
  const base = vpcRuleThat(async () => compliant('Through the view.'));
  const inMemory = (
    evaluateSync: (vpc: Vpc) => ReturnType<typeof compliant> | undefined,
    evaluate: (vpc: Vpc) => Promise<ReturnType<typeof compliant>> = async () =>
      compliant('Through the view.'),
  ) => defineRule({ ...base, evaluate, evaluateSync });

  it('judges from memory when the rule can, binding each verdict to its resource', async () => {
    const rule = inMemory((vpc) => compliant(`${vpc.id} from memory.`));

    const judgement = await judgeAll(rule, vpcs, view, {}, { concurrency: 8, memory });

    expect(judgement.evaluations.map((e) => [e.resource.id, e.annotation])).toEqual([
      ['vpc-1', 'vpc-1 from memory.'],
      ['vpc-2', 'vpc-2 from memory.'],
      ['vpc-3', 'vpc-3 from memory.'],
    ]);
    expect(judgement.evaluations[0]).toMatchObject({
      ruleId: 'test-vpc',
      resource: { type: 'AWS::EC2::VPC', id: 'vpc-1' },
      compliance: 'COMPLIANT',
    });
  });

  it('reads through the view for a resource whose rule declines the memory', async () => {
    const rule = inMemory((vpc) => (vpc.id === 'vpc-2' ? undefined : compliant('From memory.')));

    const { evaluations } = await judgeAll(rule, vpcs, view, {}, { concurrency: 1, memory });

    expect(evaluations.map((e) => e.annotation)).toEqual([
      'From memory.',
      'Through the view.',
      'From memory.',
    ]);
  });

  it('isolates each resource as the view path does', async () => {
    const seen: unknown[] = [];
    const rule = inMemory((vpc) => {
      if (vpc.id === 'vpc-1') throw new TypeError('odd input');
      if (vpc.id === 'vpc-2') throw new AwsReadError('Access denied to ec2:X', { denied: true });
      return compliant('Fine.');
    });

    const judgement = await judgeAll(
      rule,
      vpcs,
      view,
      {},
      {
        concurrency: 1,
        memory,
        onRuleError: (error) => seen.push(error),
      },
    );

    expect(judgement.evaluations.map((e) => [e.compliance, e.unverifiable ?? false])).toEqual([
      ['NON_COMPLIANT', false],
      ['NON_COMPLIANT', true],
      ['COMPLIANT', false],
    ]);
    expect(judgement.evaluations[0]?.annotation).toBe('Evaluation failed: odd input');
    expect(seen).toHaveLength(1);
  });

  it('starts nothing after the deadline and names what it did not reach', async () => {
    const rule = inMemory(() => compliant('Fine.'));

    const judgement = await judgeAll(rule, vpcs, view, {}, { concurrency: 1, memory, deadline: 0 });

    expect(judgement.evaluations).toEqual([]);
    expect(judgement.notReached.map((ref) => ref.id)).toEqual(['vpc-1', 'vpc-2', 'vpc-3']);
  });

  it('judges a copy of the rule with another evaluate through the view, never the original memory path', async () => {
    const rule = inMemory(() => compliant('From memory.'));
    const copy = { ...rule, evaluate: async () => compliant('Copy through the view.') };

    const { evaluations } = await judgeAll(copy, vpcs, view, {}, { concurrency: 1, memory });

    expect(evaluations.map((e) => e.annotation)).toEqual(vpcs.map(() => 'Copy through the view.'));
  });
});
