import { defineRule } from './rule.js';

// PLACEHOLDER: being implemented; replace the whole file.
const interfaceEndpointSgRestricted = defineRule({
  id: 'interface-endpoint-sg-restricted',
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
    throw new Error('rule interface-endpoint-sg-restricted is not implemented yet');
  },
});

export { interfaceEndpointSgRestricted };
