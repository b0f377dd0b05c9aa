import { describe, expect, it } from 'vitest';
import type { EndpointServiceDetails } from '../../src/model/resources.js';
import {
  endpointPolicyNotApplicable,
  isInactiveEndpointState,
} from '../../src/rules/endpoint-state.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import type { AccountView } from '../../src/sources/view.js';
import { endpoint } from '../network/model-builders.js';

/** A snapshot view that also answers DescribeVpcEndpointServices, as the live view does. */
const withDetails = (details: EndpointServiceDetails | undefined): AccountView => {
  const view = SnapshotView.fromResources([]);
  return Object.assign(Object.create(view) as AccountView, {
    endpointServiceDetails: async () => details,
  });
};

const iface = (serviceName: string) =>
  endpoint('vpce-1', 'vpc-1', serviceName, { endpointType: 'Interface' });

describe('isInactiveEndpointState', () => {
  it.each([
    ['Deleted', true],
    ['rejected', true],
    ['available', false],
    ['pendingAcceptance', false],
  ])('says %s carries no traffic: %s', (state, expected) => {
    // Act & Assess
    expect(isInactiveEndpointState(state)).toBe(expected);
  });
});

describe('endpointPolicyNotApplicable', () => {
  it('returns NOT_APPLICABLE when DescribeVpcEndpointServices says policies are not supported', async () => {
    // Prepare
    const view = withDetails({
      serviceName: 'com.amazonaws.us-east-1.email-smtp',
      policySupported: false,
      owner: 'amazon',
    });

    // Act
    const verdict = await endpointPolicyNotApplicable(
      iface('com.amazonaws.us-east-1.email-smtp'),
      view,
    );

    // Assess
    expect(verdict?.compliance).toBe('NOT_APPLICABLE');
    expect(verdict?.annotation).toContain('VpcEndpointPolicySupported is false');
  });

  it('judges the policy when the service supports one, even if it is on the fallback list', async () => {
    // Prepare
    const view = withDetails({
      serviceName: 'com.amazonaws.us-east-1.email-smtp',
      policySupported: true,
      owner: 'amazon',
    });

    // Act
    const verdict = await endpointPolicyNotApplicable(
      iface('com.amazonaws.us-east-1.email-smtp'),
      view,
    );

    // Assess
    expect(verdict).toBeUndefined();
  });

  it.each(['com.amazonaws.us-east-1.email-smtp', 'com.amazonaws.eu-west-1.transfer.server'])(
    'falls back to the documented list when the view cannot ask: %s',
    async (serviceName) => {
      // Act
      const verdict = await endpointPolicyNotApplicable(
        iface(serviceName),
        SnapshotView.fromResources([]),
      );

      // Assess
      expect(verdict?.compliance).toBe('NOT_APPLICABLE');
      expect(verdict?.annotation).toContain('does not support endpoint policies');
    },
  );

  it('returns NOT_APPLICABLE for a customer PrivateLink service with unchangeable full access', async () => {
    // Act
    const verdict = await endpointPolicyNotApplicable(
      iface('com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0'),
      SnapshotView.fromResources([]),
    );

    // Assess
    expect(verdict?.compliance).toBe('NOT_APPLICABLE');
    expect(verdict?.annotation).toContain('full access that cannot be changed');
  });

  it('leaves ordinary AWS services to the policy analysis', async () => {
    // Act
    const verdict = await endpointPolicyNotApplicable(
      iface('com.amazonaws.us-east-1.sts'),
      SnapshotView.fromResources([]),
    );

    // Assess
    expect(verdict).toBeUndefined();
  });
});
