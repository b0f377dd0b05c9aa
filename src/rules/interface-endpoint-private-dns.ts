import { defineRule } from './rule.js';

// PLACEHOLDER: being implemented; replace the whole file.
const interfaceEndpointPrivateDns = defineRule({
  id: 'interface-endpoint-private-dns',
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
    throw new Error('rule interface-endpoint-private-dns is not implemented yet');
  },
});

export { interfaceEndpointPrivateDns };
