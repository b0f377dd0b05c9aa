import { describe, expect, it } from 'vitest';
import { AwsReadError } from '../../src/errors.js';
import { compliant } from '../../src/model/compliance.js';
import type { Vpc } from '../../src/model/resources.js';
import { evaluateResource, judgeAll } from '../../src/scan/evaluate.js';
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
