import type { Verdict } from '../../src/model/compliance.js';
import type { Vpc } from '../../src/model/resources.js';
import { defineRule } from '../../src/rules/rule.js';

/** A VPC resource as the model holds it. */
const testVpc = (id: string): Vpc => ({
  type: 'AWS::EC2::VPC',
  id,
  tags: {},
  cidrBlocks: ['10.0.0.0/16'],
  ipv6CidrBlocks: [],
  isDefault: false,
});

/** A small VPC rule whose judgement the test supplies; the catalogue rules are tested on their own. */
const vpcRuleThat = (evaluate: (vpc: Vpc) => Promise<Verdict>) =>
  defineRule({
    id: 'test-vpc',
    title: 'VPCs should be tested',
    description: 'Test rule.',
    rationale: 'Test rule.',
    severity: 'low',
    resourceType: 'AWS::EC2::VPC',
    triggerTypes: [],
    frameworks: [],
    parameters: {},
    remediation: 'Fix the VPC.',
    iamActions: ['ec2:DescribeVpcs'],
    evaluate,
  });

export { testVpc, vpcRuleThat };
