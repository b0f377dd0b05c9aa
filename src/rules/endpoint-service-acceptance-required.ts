import { defineRule } from './rule.js';

// PLACEHOLDER: being implemented; replace the whole file.
const endpointServiceAcceptanceRequired = defineRule({
  id: 'endpoint-service-acceptance-required',
  title: 'TODO',
  description: 'TODO',
  rationale: 'TODO',
  severity: 'high',
  resourceType: 'AWS::EC2::VPCEndpointService',
  triggerTypes: [],
  frameworks: [],
  parameters: {},
  remediation: 'TODO',
  iamActions: [],
  async evaluate() {
    throw new Error('rule endpoint-service-acceptance-required is not implemented yet');
  },
});

export { endpointServiceAcceptanceRequired };
