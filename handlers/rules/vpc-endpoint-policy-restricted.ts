import { createRuleHandler } from '../../src/engine/handler-factory.js';
import { vpcEndpointPolicyRestricted } from '../../src/rules/vpc-endpoint-policy-restricted.js';

const handler = createRuleHandler(vpcEndpointPolicyRestricted);

export { handler };
