import { defineRule } from './rule.js';

// PLACEHOLDER: being implemented; replace the whole file.
const privateSubnetGatewayEndpoints = defineRule({
  id: 'private-subnet-gateway-endpoints',
  title: 'TODO',
  description: 'TODO',
  rationale: 'TODO',
  severity: 'high',
  resourceType: 'AWS::EC2::RouteTable',
  triggerTypes: [],
  frameworks: [],
  parameters: {},
  remediation: 'TODO',
  iamActions: [],
  async evaluate() {
    throw new Error('rule private-subnet-gateway-endpoints is not implemented yet');
  },
});

export { privateSubnetGatewayEndpoints };
