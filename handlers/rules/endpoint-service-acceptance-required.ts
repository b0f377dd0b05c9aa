import { createRuleHandler } from '../../src/engine/handler-factory.js';
import { endpointServiceAcceptanceRequired } from '../../src/rules/endpoint-service-acceptance-required.js';

const handler = createRuleHandler(endpointServiceAcceptanceRequired);

export { handler };
