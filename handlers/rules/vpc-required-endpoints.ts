import { createRuleHandler } from '../../src/engine/handler-factory.js';
import { vpcRequiredEndpoints } from '../../src/rules/vpc-required-endpoints.js';

const handler = createRuleHandler(vpcRequiredEndpoints);

export { handler };
