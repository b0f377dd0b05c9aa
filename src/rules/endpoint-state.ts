import { notApplicable, type Verdict } from '../model/compliance.js';
import type { VpcEndpoint } from '../model/resources.js';
import { parseServiceName } from '../network/service-name.js';
import type { AccountView } from '../sources/view.js';

/**
 * VPC endpoint states in which an endpoint carries no traffic, so rules about what flows through it
 * are NOT_APPLICABLE. Lower-case, as the model stores `VpcEndpoint.state`.
 */
const INACTIVE_ENDPOINT_STATES: ReadonlySet<string> = new Set([
  'deleted',
  'deleting',
  'rejected',
  'failed',
  'expired',
]);

/** Whether an endpoint in this state carries no traffic (case-insensitive). */
const isInactiveEndpointState = (state: string): boolean =>
  INACTIVE_ENDPOINT_STATES.has(state.toLowerCase());

/**
 * AWS services whose endpoints take no endpoint policy (`VpcEndpointPolicySupported` false), for
 * views that cannot ask DescribeVpcEndpointServices (a Config snapshot): SES SMTP and Transfer
 * Family server endpoints.
 */
const NO_POLICY_SERVICES: ReadonlySet<string> = new Set(['email-smtp', 'transfer.server']);

/**
 * NOT_APPLICABLE for an endpoint whose policy cannot be set: a service without endpoint-policy
 * support, or a customer (PrivateLink) service, whose endpoints AWS gives full access that cannot
 * be changed. `undefined` when the policy is the endpoint's to restrict.
 */
const endpointPolicyNotApplicable = async (
  endpoint: VpcEndpoint,
  view: AccountView,
): Promise<Verdict | undefined> => {
  const details = await view.endpointServiceDetails?.(endpoint.serviceName);
  if (details?.policySupported === true) return undefined;
  const parsed = parseServiceName(endpoint.serviceName);
  const customer =
    parsed.origin === 'customer' ||
    (details?.owner !== undefined && details.owner !== 'amazon' && parsed.origin !== 'aws');
  if (customer && (details === undefined || details.policySupported === false)) {
    return notApplicable(
      `${endpoint.id} connects to the PrivateLink service ${endpoint.serviceName}: AWS gives such endpoints full access that cannot be changed. Restrict it with the service's allowed principals and acceptance instead.`,
    );
  }
  if (details?.policySupported === false) {
    return notApplicable(
      `${endpoint.id}: ${endpoint.serviceName} does not support endpoint policies (VpcEndpointPolicySupported is false), so there is no policy to restrict.`,
    );
  }
  if (details === undefined && parsed.origin === 'aws' && NO_POLICY_SERVICES.has(parsed.service)) {
    return notApplicable(
      `${endpoint.id}: ${endpoint.serviceName} does not support endpoint policies (AWS documents no endpoint-policy support for it), so there is no policy to restrict.`,
    );
  }
  return undefined;
};

export { endpointPolicyNotApplicable, isInactiveEndpointState, NO_POLICY_SERVICES };
