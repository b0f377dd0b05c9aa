import type { VpcEndpoint } from '../model/resources.js';

/**
 * Endpoint states. Routing and the required-endpoint check count only `available` endpoints: a
 * pending one carries nothing yet, and Config records the change to `available` (which re-evaluates
 * what depends on it). Policy checks accept `pending` too: its policy is already what it will be.
 */

/** Endpoint states in which AWS keeps (or is about to install) the endpoint. */
const LIVE_STATES: ReadonlySet<string> = new Set(['available', 'pending']);

const isLiveEndpoint = (endpoint: VpcEndpoint): boolean =>
  LIVE_STATES.has(endpoint.state.toLowerCase());

/** An endpoint that carries traffic right now. */
const isAvailableEndpoint = (endpoint: VpcEndpoint): boolean =>
  endpoint.state.toLowerCase() === 'available';

export { isAvailableEndpoint, isLiveEndpoint, LIVE_STATES };
