import { createRuleHandler } from '../../src/engine/handler-factory.js';
import { privateSubnetGatewayEndpoints } from '../../src/rules/private-subnet-gateway-endpoints.js';

const handler = createRuleHandler(privateSubnetGatewayEndpoints);

export { handler };
