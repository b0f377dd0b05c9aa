import { defineRule } from './rule.js';

// PLACEHOLDER: being implemented; replace the whole file.
const vpcEndpointPolicyRestricted = defineRule({
  id: 'vpc-endpoint-policy-restricted',
  title: 'TODO',
  description: 'TODO',
  rationale: 'TODO',
  severity: 'high',
  resourceType: 'AWS::EC2::VPCEndpoint',
  triggerTypes: [],
  frameworks: [],
  parameters: {},
  remediation: 'TODO',
  iamActions: [],
  async evaluate() {
    throw new Error('rule vpc-endpoint-policy-restricted is not implemented yet');
  },
});

export { vpcEndpointPolicyRestricted };
