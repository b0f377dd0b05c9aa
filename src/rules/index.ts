import type { TriggerType } from '../model/resources.js';
import { endpointServiceAcceptanceRequired } from './endpoint-service-acceptance-required.js';
import { interfaceEndpointPrivateDns } from './interface-endpoint-private-dns.js';
import { interfaceEndpointSgRestricted } from './interface-endpoint-sg-restricted.js';
import { privateSubnetGatewayEndpoints } from './private-subnet-gateway-endpoints.js';
import type { AnyRule } from './rule.js';
import { s3BucketPolicyTlsOnly } from './s3-bucket-policy-tls-only.js';
import { s3BucketPolicyVpceOnly } from './s3-bucket-policy-vpce-only.js';
import { vpcEndpointPolicyRestricted } from './vpc-endpoint-policy-restricted.js';
import { vpcRequiredEndpoints } from './vpc-required-endpoints.js';

/** The catalogue: the single list the CLI, handlers, serverless.ts, docs and reports read. */
const RULES: readonly AnyRule[] = [
  s3BucketPolicyVpceOnly,
  s3BucketPolicyTlsOnly,
  privateSubnetGatewayEndpoints,
  vpcRequiredEndpoints,
  vpcEndpointPolicyRestricted,
  interfaceEndpointPrivateDns,
  interfaceEndpointSgRestricted,
  endpointServiceAcceptanceRequired,
];

const findRule = (id: string): AnyRule | undefined => RULES.find((rule) => rule.id === id);

/** Resource types a rule must see: the one it reports on plus those that re-trigger it. */
const scopeTypesOf = (rule: AnyRule): TriggerType[] => [
  ...new Set<TriggerType>([rule.resourceType, ...rule.triggerTypes]),
];

export { findRule, RULES, scopeTypesOf };
