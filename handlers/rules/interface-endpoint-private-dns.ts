import { createRuleHandler } from '../../src/engine/handler-factory.js';
import { interfaceEndpointPrivateDns } from '../../src/rules/interface-endpoint-private-dns.js';

const handler = createRuleHandler(interfaceEndpointPrivateDns);

export { handler };
