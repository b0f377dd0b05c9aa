import { defineRule } from './rule.js';

// PLACEHOLDER: being implemented; replace the whole file.
const vpcRequiredEndpoints = defineRule({
  id: 'vpc-required-endpoints',
  title: 'TODO',
  description: 'TODO',
  rationale: 'TODO',
  severity: 'high',
  resourceType: 'AWS::EC2::VPC',
  triggerTypes: [],
  frameworks: [],
  parameters: {},
  remediation: 'TODO',
  iamActions: [],
  async evaluate() {
    throw new Error('rule vpc-required-endpoints is not implemented yet');
  },
});

export { vpcRequiredEndpoints };
