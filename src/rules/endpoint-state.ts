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

export { isInactiveEndpointState };
