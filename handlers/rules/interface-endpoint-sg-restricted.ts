import { createRuleHandler } from '../../src/engine/handler-factory.js';
import { interfaceEndpointSgRestricted } from '../../src/rules/interface-endpoint-sg-restricted.js';

const handler = createRuleHandler(interfaceEndpointSgRestricted);

export { handler };
